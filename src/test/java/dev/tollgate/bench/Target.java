package dev.tollgate.bench;

/**
 * Where the load goes: the upstream itself (the baseline), Tollgate in front of it, or the bare hop or nginx in front
 * of it (the references), with the model name and the credentials each expects.
 */
record Target(String name, String url, String model, String authorization) {

    static final String NGINX = "nginx hop";

    static Target direct(BenchUpstream upstream) {
        return new Target("direct", upstream.baseUrl() + "/v1/chat/completions", "gpt-4o-mini", "Bearer sk-bench-upstream");
    }

    static Target tollgate(TollgateProcess tollgate) {
        return new Target("tollgate", tollgate.baseUrl() + "/v1/chat/completions", "openai/gpt-4o-mini",
                "Bearer " + tollgate.apiKey());
    }

    /** The bare hop forwards the body as it is and swaps the key for the upstream's: it reads neither. */
    static Target bareHop(BareHopProcess hop) {
        return new Target("bare hop", hop.baseUrl() + "/v1/chat/completions", "gpt-4o-mini", "Bearer sk-bench-hop");
    }

    /** nginx, set up as the bare hop is ({@link NginxHopProcess}). */
    static Target nginx(NginxHopProcess hop) {
        return new Target(NGINX, hop.baseUrl() + "/v1/chat/completions", "gpt-4o-mini", "Bearer sk-bench-hop");
    }

    String body(boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256,\"stream\":" + stream + ",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a terse assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Say something about foxes and dogs, in one sentence.\"}]}";
    }
}
