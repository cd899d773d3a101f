package io.caravan.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic corpus of English-like business documents: a few paragraphs of varied sentences, about
 * 1,000–1,500 characters each. The same seed always gives the same documents, so runs are comparable.
 */
final class Corpus {

    record Doc(String title, String text) {
    }

    private static final String[] ADJECTIVES = {"quarterly", "regional", "new", "internal", "annual", "shared",
            "delayed", "revised", "critical", "routine", "external", "temporary", "modest", "significant",
            "early", "detailed", "remote", "central", "unexpected", "standard"};
    private static final String[] NOUNS = {"report", "budget", "contract", "warehouse", "supplier", "invoice",
            "schedule", "audit", "migration", "policy", "customer", "shipment", "team", "forecast", "review",
            "license", "server", "survey", "campaign", "agreement", "refund", "office", "deadline", "project"};
    private static final String[] PLURALS = {"reports", "budgets", "contracts", "suppliers", "invoices",
            "customers", "shipments", "teams", "forecasts", "licenses", "servers", "returns", "orders",
            "requests", "meetings", "changes", "accounts", "prices", "tickets", "partners"};
    private static final String[] SUBJECTS = {"The finance team", "Our support desk", "The board", "Legal",
            "The operations manager", "Each regional office", "The procurement group", "Engineering",
            "The auditor", "Marketing", "The logistics partner", "The project lead", "Human resources",
            "The vendor", "Most customers", "The steering committee"};
    private static final String[] VERBS_PAST = {"approved", "reviewed", "postponed", "rejected", "updated",
            "signed", "cancelled", "extended", "published", "questioned", "simplified", "replaced", "confirmed",
            "negotiated", "archived", "escalated"};
    private static final String[] VERBS = {"review", "approve", "reduce", "track", "replace", "renew", "check",
            "document", "report", "consolidate", "measure", "improve", "share", "plan"};
    private static final String[] ADVERBS = {"Meanwhile", "However", "In practice", "As a result", "Since then",
            "For now", "In addition", "Last month", "By contrast", "Overall", "Until further notice",
            "In most cases"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
            "August", "September", "October", "November", "December"};
    private static final String[] CLAUSES = {"because the figures were incomplete",
            "which nobody had expected", "after a long discussion with the supplier",
            "so that the deadline can still be met", "although the costs went up",
            "while the old system stays online", "unless the customer objects in writing",
            "before the end of the fiscal year", "as the contract requires", "once the audit is closed"};

    private final Random random;

    Corpus(long seed) {
        this.random = new Random(seed);
    }

    List<Doc> documents(int count) {
        List<Doc> docs = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            docs.add(document(i));
        }
        return docs;
    }

    private Doc document(int number) {
        String topic = pick(ADJECTIVES) + " " + pick(NOUNS);
        int target = 1000 + random.nextInt(501);
        int paragraphs = 3 + random.nextInt(3);
        // sentences average ~90 characters: stop each paragraph about half a sentence early
        int perParagraph = target / paragraphs - 45;
        List<String> parts = new ArrayList<>(paragraphs);
        for (int p = 0; p < paragraphs; p++) {
            // the first sentence names the document, so no two documents are duplicates of each other
            StringBuilder paragraph = new StringBuilder(p == 0 ? "Note " + number + " is about the " + topic + "." : "");
            while (paragraph.length() < perParagraph) {
                if (!paragraph.isEmpty()) {
                    paragraph.append(' ');
                }
                paragraph.append(sentence());
            }
            parts.add(paragraph.toString());
        }
        return new Doc("Note " + number + ": " + topic, String.join("\n\n", parts));
    }

    private String sentence() {
        String sentence = switch (random.nextInt(6)) {
            case 0 -> pick(SUBJECTS) + " " + pick(VERBS_PAST) + " the " + pick(ADJECTIVES) + " " + pick(NOUNS);
            case 1 -> pick(ADVERBS) + ", " + lower(pick(SUBJECTS)) + " will " + pick(VERBS) + " all "
                    + pick(PLURALS) + " of the " + pick(NOUNS);
            case 2 -> "In " + pick(MONTHS) + " " + (2019 + random.nextInt(8)) + " the " + pick(NOUNS) + " cost "
                    + (1 + random.nextInt(900)) + "," + (100 + random.nextInt(900)) + " euros";
            case 3 -> "Please " + pick(VERBS) + " the " + pick(PLURALS) + " with " + lower(pick(SUBJECTS))
                    + " every " + (2 + random.nextInt(11)) + " weeks";
            case 4 -> "The " + pick(NOUNS) + " for " + pick(PLURALS) + " was " + pick(VERBS_PAST) + " by "
                    + lower(pick(SUBJECTS));
            default -> "Why did " + lower(pick(SUBJECTS)) + " " + pick(VERBS) + " the " + pick(ADJECTIVES) + " "
                    + pick(NOUNS) + " twice";
        };
        if (random.nextInt(3) == 0) {
            sentence += ", " + pick(CLAUSES);
        }
        return sentence + (sentence.startsWith("Why") ? "?" : ".");
    }

    private String pick(String[] words) {
        return words[random.nextInt(words.length)];
    }

    private static String lower(String phrase) {
        return phrase.startsWith("The ") || phrase.startsWith("Each ") || phrase.startsWith("Our ")
                || phrase.startsWith("Most ") ? Character.toLowerCase(phrase.charAt(0)) + phrase.substring(1) : phrase;
    }
}
