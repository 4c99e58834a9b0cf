package io.vrfm.backend.cuda;

import io.vrfm.backend.ConvShape;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one cuDNN algorithm search of the backend: for each convolution geometry and pass (forward, backward
 * data, backward filter) it asks a {@link Finder} ({@code cudnnFind*Algorithm}, which times the candidates on
 * the device) once, keeps the fastest result whose status is success, and answers from the cache afterwards.
 * The cuDNN 9 natives have no {@code *_v7} getters, so finding is the only way to choose (see DESIGN.md).
 */
final class ConvAlgorithms {

    /** The three convolution passes. */
    enum Pass {
        FORWARD("forward"), BACKWARD_DATA("backward-data"), BACKWARD_FILTER("backward-filter");

        final String label;

        Pass(String label) {
            this.label = label;
        }
    }

    /** One result of a find call: cuDNN's status for the algorithm, its id and its workspace in bytes. */
    record Perf(int status, int algo, long workspaceBytes) {
    }

    /** The algorithm chosen for one geometry and pass, and the workspace it needs. */
    record Algo(int algo, long workspaceBytes) {
    }

    /** Runs cuDNN's search for one geometry and pass; results fastest first, as cuDNN returns them. */
    interface Finder {
        List<Perf> find(ConvShape shape, Pass pass);
    }

    /** {@code CUDNN_STATUS_SUCCESS}. */
    static final int STATUS_OK = 0;

    private record Key(ConvShape shape, Pass pass) {
    }

    private final Finder finder;
    private final Map<Key, Algo> chosen = new HashMap<>();

    ConvAlgorithms(Finder finder) {
        this.finder = finder;
    }

    /** The algorithm for {@code shape} and {@code pass}, searched on first use and cached. */
    synchronized Algo get(ConvShape shape, Pass pass) {
        Key key = new Key(shape, pass);
        Algo a = chosen.get(key);
        if (a == null) {
            a = firstUsable(finder.find(shape, pass), shape, pass);
            chosen.put(key, a);
        }
        return a;
    }

    /** Geometries and passes searched so far. */
    synchronized int searches() {
        return chosen.size();
    }

    /**
     * The first (fastest) result with a success status.
     *
     * @throws IllegalStateException naming the pass and geometry when there is none
     */
    static Algo firstUsable(List<Perf> perf, ConvShape shape, Pass pass) {
        for (Perf p : perf) {
            if (p.status() == STATUS_OK && p.algo() >= 0 && p.workspaceBytes() >= 0) {
                return new Algo(p.algo(), p.workspaceBytes());
            }
        }
        throw new IllegalStateException("cuDNN found no " + pass.label + " algorithm for " + shape
                + " (" + perf.size() + " candidates, none with status success)");
    }
}
