package io.vrfm.nn;

import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network component with named parameters and child modules. Names are hierarchical and match PyTorch's
 * {@code state_dict} convention ({@code blocks.0.attn.qkv.weight}), so checkpoints move between the two.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<Rng> streams = new ArrayList<>();
    private boolean training = true;

    /** Registers a trainable parameter. */
    protected Tensor param(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        TensorScope.persist(value);
        params.put(name, value);
        return value;
    }

    /**
     * Registers a random stream this module draws from while training (dropout masks), so that a trainer can
     * position it per step ({@link #randomStreams()}, {@link Rng#seek}).
     */
    protected Rng randomStream(Rng rng) {
        streams.add(rng);
        return rng;
    }

    /** Every random stream registered by this module and its children, in registration order. */
    public List<Rng> randomStreams() {
        List<Rng> out = new ArrayList<>(streams);
        for (Module m : children.values()) {
            out.addAll(m.randomStreams());
        }
        return out;
    }

    /** Registers a child module. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module: invalid name '" + name + "'");
        }
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("module: name '" + name + "' registered twice in " + getClass().getSimpleName());
        }
    }

    /** Every parameter under its full dotted name, in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.size();
        }
        return n;
    }

    /** The direct children by name. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    public void train(boolean on) {
        this.training = on;
        for (Module m : children.values()) {
            m.train(on);
        }
    }

    public void eval() {
        train(false);
    }

    public boolean isTraining() {
        return training;
    }

    public void zeroGrad() {
        for (Tensor t : namedParameters().values()) {
            t.setGrad(null);
        }
    }
}
