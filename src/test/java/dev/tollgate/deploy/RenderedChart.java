package dev.tollgate.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests of {@code helm/tollgate} as {@code helm template} renders them with Helm's own engine (helm-java),
 * parsed into plain maps and lists, with a path syntax ({@code spec.template.spec.containers[0].image}) to read them.
 */
final class RenderedChart {

    static final Path CHART = Path.of("helm", "tollgate");

    static final String RELEASE = "tg";

    private final String text;
    private final List<Map<String, Object>> manifests;

    private RenderedChart(String text, List<Map<String, Object>> manifests) {
        this.text = text;
        this.manifests = manifests;
    }

    /** Renders the chart with these {@code --set} values; Helm's errors (schema, {@code fail}) surface as exceptions. */
    static RenderedChart render(Map<String, ?> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace("tollgate");
        values.forEach(template::set);
        String text = template.call();
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Yaml().loadAll(text)) {
            if (document != null) {
                manifests.add(cast(document));
            }
        }
        return new RenderedChart(text, manifests);
    }

    /** The rendered YAML exactly as Helm printed it. */
    String text() {
        return text;
    }

    List<String> kinds() {
        return manifests.stream().map(manifest -> (String) manifest.get("kind")).toList();
    }

    boolean has(String kind) {
        return kinds().contains(kind);
    }

    /** The one manifest of this kind. */
    Map<String, Object> one(String kind) {
        List<Map<String, Object>> found = manifests.stream().filter(manifest -> kind.equals(manifest.get("kind")))
            .toList();
        if (found.size() != 1) {
            throw new AssertionError("Expected one " + kind + " but the chart rendered " + kinds());
        }
        return found.get(0);
    }

    /** The value at a dotted path with optional list indexes, e.g. {@code spec.template.spec.containers[0]}. */
    static Object at(Object root, String path) {
        Object node = root;
        for (String step : path.split("\\.")) {
            String key = step.contains("[") ? step.substring(0, step.indexOf('[')) : step;
            if (!key.isEmpty()) {
                if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
                    throw new AssertionError("No '" + key + "' on the way to " + path + " in " + root);
                }
                node = map.get(key);
            }
            if (step.contains("[")) {
                int index = Integer.parseInt(step.substring(step.indexOf('[') + 1, step.indexOf(']')));
                node = ((List<?>) node).get(index);
            }
        }
        return node;
    }

    static Map<String, Object> mapAt(Object root, String path) {
        return cast(at(root, path));
    }

    static List<Map<String, Object>> listAt(Object root, String path) {
        return cast(at(root, path));
    }

    static List<Object> itemsAt(Object root, String path) {
        return cast(at(root, path));
    }

    static String stringAt(Object root, String path) {
        return String.valueOf(at(root, path));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

}
