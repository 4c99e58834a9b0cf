package io.vrfm.nn;

import java.util.ArrayList;
import java.util.List;

/** An indexed list of child modules, named {@code 0}, {@code 1}, … like PyTorch's {@code nn.ModuleList}. */
public final class ModuleList extends Module {
    private final List<Module> items = new ArrayList<>();

    public <M extends Module> M add(M module) {
        child(Integer.toString(items.size()), module);
        items.add(module);
        return module;
    }

    @SuppressWarnings("unchecked")
    public <M extends Module> M get(int i) {
        return (M) items.get(i);
    }

    public int size() {
        return items.size();
    }
}
