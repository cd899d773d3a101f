package io.caravan.sources.messenger;

/** One Graph API GET: the URL without its query, and the raw query (which carries the access token). */
record GraphRequest(String url, String query) {

    /** Splits a full URL such as {@code paging.next}. */
    static GraphRequest of(String fullUrl) {
        int question = fullUrl.indexOf('?');
        return question < 0 ? new GraphRequest(fullUrl, null)
                : new GraphRequest(fullUrl.substring(0, question), fullUrl.substring(question + 1));
    }

    @Override
    public String toString() {
        return "GraphRequest[" + url + "]"; // never the query: it holds the page access token
    }
}
