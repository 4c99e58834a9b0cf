package io.vrfm.nn;

/**
 * A container whose children sit at chosen integer positions, like a PyTorch {@code nn.Sequential} whose
 * parameter-free members (SiLU, Dropout) still take an index: {@code in_layers.0} (GroupNorm) and
 * {@code in_layers.2} (Conv2d) with nothing at {@code 1}. It only names parameters; callers run the members.
 */
public final class Slots extends Module {
    public <M extends Module> M put(int index, M module) {
        child(Integer.toString(index), module);
        return module;
    }
}
