/**
 * Variational rectified flow matching (Guo &amp; Schwing, ICML 2025) and its baselines.
 *
 * <ul>
 *   <li>{@link io.vrfm.flow.Interpolant}: {@code t ~ U(0,1)} per sample, {@code x_t = (1−t)x0 + t·x1}, target
 *       {@code x1 − x0} (one fused kernel).</li>
 *   <li>{@link io.vrfm.flow.FlowLosses}: RFM (MSE to {@code x1 − x0}); V-RFM (reconstruction + λ·KL, posterior on a
 *       configurable subset of {x0, x1, x_t, t}, one reparameterized {@code z} per sample); consistency FM
 *       (Yang et al. 2024; Δ = 1e-3, N = 2 segments, α = 1e-5, the reference code's two stages: boundary 0 for the
 *       first half of training, 0.9 after). Reduction: {@link io.vrfm.flow.Reduction} (default SUM = per-sample sum
 *       over dimensions, mean over the batch, for both the squared error and the KL — the negative ELBO of Eq. 5).</li>
 *   <li>{@link io.vrfm.flow.Samplers}: Euler (fused step), Heun, adaptive Dormand–Prince 5(4) with NFE, and
 *       Euler–Maruyama ({@code w(t) = ε(1−t)}, final mean step; standard normal sources only). V-RFM draws
 *       {@code z ~ N(0, I)} once per trajectory.</li>
 *   <li>{@link io.vrfm.flow.Likelihood}: log-likelihood by the instantaneous change of variables, RK4 backward in
 *       time, exact divergence for dim ≤ 2, Hutchinson (Rademacher) above; V-RFM at a fixed {@code z}.</li>
 *   <li>{@link io.vrfm.flow.Trainer} / {@link io.vrfm.flow.TrainConfig}: the paper's synthetic-task recipe (AdamW
 *       1e-3 with PyTorch's default decay 0.01, batch 1000, 20k iterations, λ 1.0 / 0.1, latent 4 / 8); per-step
 *       random streams derived from (seed, step), so resuming from a checkpoint is exact.</li>
 * </ul>
 */
package io.vrfm.flow;
