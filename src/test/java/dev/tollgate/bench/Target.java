package dev.tollgate.bench;

/**
 * Where the load goes: the upstream itself (the baseline) or Tollgate in front of it, with the model name and the
 * credentials each expects.
 */
record Target(String name, String url, String model, String authorization) {

    static Target direct(BenchUpstream upstream) {
        return new Target("direct", upstream.baseUrl() + "/v1/chat/completions", "gpt-4o-mini", "Bearer sk-bench-upstream");
    }

    static Target tollgate(TollgateProcess tollgate) {
        return new Target("tollgate", tollgate.baseUrl() + "/v1/chat/completions", "openai/gpt-4o-mini",
                "Bearer " + tollgate.apiKey());
    }

    String body(boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256,\"stream\":" + stream + ",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a terse assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Say something about foxes and dogs, in one sentence.\"}]}";
    }
}
