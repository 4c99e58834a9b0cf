package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/**
 * A {@link VelocityField} that also takes a class label per sample. Labels are float tensors {@code [N]} holding
 * exact integers in {@code [0, numClasses)}, or {@link #nullClass()} for "no class" (the unconditional input that
 * label dropout trains and classifier-free guidance uses). The plain
 * {@link VelocityField#velocity(Tensor, Tensor, Tensor)} is the unconditional field.
 */
public interface ClassConditionalField extends VelocityField {

    /** {@code v_θ(x, t, z, y)}; {@code z} is null when {@link #latentDim()} is 0. */
    Tensor velocity(Tensor x, Tensor t, Tensor z, Tensor labels);

    int numClasses();

    /** The label that means "unconditional". */
    default int nullClass() {
        return numClasses();
    }

    /** This field with its labels fixed: the view any sampler or loss that knows only {@link VelocityField} takes. */
    default VelocityField withLabels(Tensor labels) {
        ClassConditionalField self = this;
        return new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                return self.velocity(x, t, z, labels);
            }

            @Override
            public int latentDim() {
                return self.latentDim();
            }
        };
    }
}
