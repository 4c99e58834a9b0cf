package io.vrfm.cli;

import io.vrfm.backend.Backend;
import picocli.CommandLine.Option;

/** The {@code --device} option every command that computes shares (a picocli mixin). */
public final class DeviceOption {
    @Option(names = "--device", defaultValue = "auto",
            description = "auto, cpu or cuda; auto takes CUDA when usable (default: ${DEFAULT-VALUE}).")
    String device = "auto";

    /** Opens the chosen backend (one-line error when it is unusable). */
    Backend open() {
        return io.vrfm.backend.Devices.open(device, System.err::println);
    }

    /** The option's value. */
    String name() {
        return device;
    }
}
