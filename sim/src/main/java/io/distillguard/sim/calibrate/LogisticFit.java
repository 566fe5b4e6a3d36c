package io.distillguard.sim.calibrate;

import java.util.Arrays;

/**
 * Weighted logistic regression with an L2 penalty on the weights (not the bias), fitted by Newton's method, with
 * weights optionally held non-negative (projected Newton over the free variables, with step halving so the loss never
 * rises). Small and dense: a dozen features, a few hundred thousand rows. Deterministic: same rows, same result.
 */
public final class LogisticFit {
  private LogisticFit() {}

  /**
   * @param l2            penalty {@code l2/2 · |w|²} on the weights
   * @param nonNegative   hold every weight at 0 or above (a harvesting signal never lowers a score)
   * @param maxIterations Newton iterations at most
   * @param tolerance     stop when no coefficient moves more than this
   */
  public record Options(double l2, boolean nonNegative, int maxIterations, double tolerance) {
    public static Options defaults() {
      return new Options(0.01, true, 100, 1e-9);
    }
  }

  /** The fitted intercept and weights (in feature order), the iterations used and the final penalized loss. */
  public record Result(double bias, double[] weights, int iterations, double loss) {}

  /**
   * Fits {@code P(y) = sigmoid(bias + w·x)}.
   *
   * @param x rows of features
   * @param y labels
   * @param w row weights (any positive scale)
   */
  public static Result fit(double[][] x, boolean[] y, double[] w, Options o) {
    int n = x.length;
    if (n == 0 || y.length != n || w.length != n) {
      throw new IllegalArgumentException("need equally many rows, labels and weights (at least one)");
    }
    int d = x[0].length + 1;
    double total = 0;
    for (double v : w) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("row weights must be finite and non-negative");
      }
      total += v;
    }
    if (total <= 0) {
      throw new IllegalArgumentException("row weights sum to zero");
    }
    double scale = 2.0 / total; // the two classes weigh about 1 each with balanced weights
    double[] beta = new double[d];
    double loss = loss(x, y, w, scale, beta, o.l2());
    int it = 0;
    for (; it < o.maxIterations(); it++) {
      double[] g = new double[d];
      double[][] h = new double[d][d];
      for (int r = 0; r < n; r++) {
        double[] xr = x[r];
        double z = beta[0];
        for (int j = 1; j < d; j++) {
          z += beta[j] * xr[j - 1];
        }
        double p = sigmoid(z);
        double wr = w[r] * scale;
        double e = wr * (p - (y[r] ? 1 : 0));
        double v = wr * p * (1 - p);
        g[0] += e;
        h[0][0] += v;
        for (int j = 1; j < d; j++) {
          double xj = xr[j - 1];
          if (xj == 0) {
            continue;
          }
          g[j] += e * xj;
          h[0][j] += v * xj;
          for (int k = j; k < d; k++) {
            h[j][k] += v * xj * xr[k - 1];
          }
        }
      }
      for (int j = 0; j < d; j++) {
        for (int k = 0; k < j; k++) {
          h[j][k] = h[k][j];
        }
      }
      for (int j = 1; j < d; j++) {
        g[j] += o.l2() * beta[j];
        h[j][j] += o.l2();
      }
      h[0][0] += 1e-12;
      boolean[] free = new boolean[d];
      Arrays.fill(free, true);
      if (o.nonNegative()) {
        for (int j = 1; j < d; j++) {
          free[j] = !(beta[j] <= 0 && g[j] > 0);
        }
      }
      double[] step = solveFree(h, g, free);
      double t = 1;
      double[] next = new double[d];
      double nextLoss = Double.POSITIVE_INFINITY;
      for (int halving = 0; halving < 40; halving++) {
        for (int j = 0; j < d; j++) {
          next[j] = beta[j] - t * step[j];
          if (o.nonNegative() && j > 0 && next[j] < 0) {
            next[j] = 0;
          }
        }
        nextLoss = loss(x, y, w, scale, next, o.l2());
        if (nextLoss <= loss + 1e-15) {
          break;
        }
        t /= 2;
      }
      double moved = 0;
      for (int j = 0; j < d; j++) {
        moved = Math.max(moved, Math.abs(next[j] - beta[j]));
      }
      if (nextLoss > loss + 1e-15) {
        break; // no descent possible along this direction: converged to within rounding
      }
      beta = next.clone();
      loss = nextLoss;
      if (moved < o.tolerance()) {
        it++;
        break;
      }
    }
    return new Result(beta[0], Arrays.copyOfRange(beta, 1, d), it, loss);
  }

  static double sigmoid(double z) {
    double c = Math.max(-30, Math.min(30, z));
    return 1 / (1 + Math.exp(-c));
  }

  private static double loss(double[][] x, boolean[] y, double[] w, double scale, double[] beta, double l2) {
    double sum = 0;
    for (int r = 0; r < x.length; r++) {
      double z = beta[0];
      for (int j = 1; j < beta.length; j++) {
        z += beta[j] * x[r][j - 1];
      }
      // log(1 + e^z) - y z, computed stably
      double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      sum += w[r] * scale * (softplus - (y[r] ? z : 0));
    }
    double pen = 0;
    for (int j = 1; j < beta.length; j++) {
      pen += beta[j] * beta[j];
    }
    return sum + l2 / 2 * pen;
  }

  /** Solves {@code H s = g} over the free variables (the others' steps are 0), by Cholesky. */
  static double[] solveFree(double[][] h, double[] g, boolean[] free) {
    int d = g.length;
    int[] idx = new int[d];
    int m = 0;
    for (int j = 0; j < d; j++) {
      if (free[j]) {
        idx[m++] = j;
      }
    }
    double[][] a = new double[m][m];
    double[] b = new double[m];
    for (int i = 0; i < m; i++) {
      b[i] = g[idx[i]];
      for (int k = 0; k < m; k++) {
        a[i][k] = h[idx[i]][idx[k]];
      }
    }
    double[][] l = new double[m][m];
    for (int i = 0; i < m; i++) {
      for (int k = 0; k <= i; k++) {
        double s = a[i][k];
        for (int p = 0; p < k; p++) {
          s -= l[i][p] * l[k][p];
        }
        if (i == k) {
          l[i][i] = Math.sqrt(Math.max(s, 1e-12));
        } else {
          l[i][k] = s / l[k][k];
        }
      }
    }
    double[] zz = new double[m];
    for (int i = 0; i < m; i++) {
      double s = b[i];
      for (int p = 0; p < i; p++) {
        s -= l[i][p] * zz[p];
      }
      zz[i] = s / l[i][i];
    }
    double[] sol = new double[m];
    for (int i = m - 1; i >= 0; i--) {
      double s = zz[i];
      for (int p = i + 1; p < m; p++) {
        s -= l[p][i] * sol[p];
      }
      sol[i] = s / l[i][i];
    }
    double[] step = new double[d];
    for (int i = 0; i < m; i++) {
      step[idx[i]] = sol[i];
    }
    return step;
  }
}
