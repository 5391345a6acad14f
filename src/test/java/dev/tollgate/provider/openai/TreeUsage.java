package dev.tollgate.provider.openai;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;

/** A usage for the tests, given as a tree and written once. */
record TreeUsage(byte[] bytes, ObjectNode tree) implements ChatCompletion.Usage {

    static TreeUsage of(JsonMapper json, ObjectNode tree) {
        return new TreeUsage(json.writeValueAsBytes(tree), tree);
    }
}
