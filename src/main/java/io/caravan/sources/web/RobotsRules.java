package io.caravan.sources.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules of one site's {@code robots.txt} for one crawler (RFC 9309): the groups naming our product token, else
 * the {@code *} group; the longest matching {@code Allow}/{@code Disallow} path wins, {@code Allow} on a tie;
 * {@code *} and a final {@code $} are understood.
 */
record RobotsRules(List<Rule> rules) {

    record Rule(boolean allow, String path, Pattern pattern) {
    }

    static RobotsRules allowAll() {
        return new RobotsRules(List.of());
    }

    static RobotsRules disallowAll() {
        return new RobotsRules(List.of(new Rule(false, "/", compile("/"))));
    }

    /** {@code userAgent} such as {@code CaravanBot/0.1}: its product token ({@code caravanbot}) selects the group. */
    static RobotsRules parse(String text, String userAgent) {
        String token = productToken(userAgent);
        List<Rule> ours = new ArrayList<>();
        List<Rule> anyone = new ArrayList<>();
        boolean oursFound = false;
        List<String> agents = new ArrayList<>();
        boolean inRules = false;
        List<Rule> group = new ArrayList<>();
        for (String raw : text.split("\\r?\\n|\\r")) {
            String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String field = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (field.equals("user-agent")) {
                if (inRules) { // a user-agent line after rules starts a new group
                    oursFound |= assign(agents, group, token, ours, anyone);
                    agents = new ArrayList<>();
                    group = new ArrayList<>();
                    inRules = false;
                }
                agents.add(value.toLowerCase(Locale.ROOT));
            } else if (field.equals("allow") || field.equals("disallow")) {
                inRules = true;
                if (!value.isEmpty()) { // an empty Disallow allows everything: no rule
                    group.add(new Rule(field.equals("allow"), value, compile(value)));
                }
            }
        }
        oursFound |= assign(agents, group, token, ours, anyone);
        return new RobotsRules(List.copyOf(oursFound ? ours : anyone));
    }

    private static boolean assign(List<String> agents, List<Rule> group, String token, List<Rule> ours,
                                  List<Rule> anyone) {
        boolean mine = agents.stream().anyMatch(agent -> !agent.equals("*") && token.equals(productToken(agent)));
        if (mine) {
            ours.addAll(group);
        } else if (agents.contains("*")) {
            anyone.addAll(group);
        }
        return mine;
    }

    /** True when the path (with its query) may be fetched. */
    boolean allows(String pathAndQuery) {
        Rule best = null;
        for (Rule rule : rules) {
            if (rule.pattern().matcher(pathAndQuery).lookingAt()) {
                if (best == null || rule.path().length() > best.path().length()
                        || (rule.path().length() == best.path().length() && rule.allow())) {
                    best = rule;
                }
            }
        }
        return best == null || best.allow();
    }

    private static String productToken(String userAgent) {
        String token = userAgent.strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < token.length() && (Character.isLetterOrDigit(token.charAt(end)) || token.charAt(end) == '-'
                || token.charAt(end) == '_')) {
            end++;
        }
        return token.substring(0, end);
    }

    private static Pattern compile(String path) {
        boolean anchored = path.endsWith("$");
        String body = anchored ? path.substring(0, path.length() - 1) : path;
        String regex = java.util.Arrays.stream(body.split("\\*", -1)).map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
        return Pattern.compile(anchored ? regex + "$" : regex);
    }
}
