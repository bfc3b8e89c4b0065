// Navier-Stokes: Jos Stam's "stable fluids" solver (Real-Time Fluid Dynamics for Games, GDC
// 2003) on a 128x128 grid, as in the V8/Octane benchmark, written here from the algorithm:
// density and velocity steps with diffusion (Gauss-Seidel relaxation), advection and projection.
// The result is a checksum of the density field after a fixed number of frames.
'use strict';

class FluidField {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.rowSize = width + 2;
    this.iterations = 10;
    this.dt = 0.1;
    const size = (width + 2) * (height + 2);
    this.dens = new Float64Array(size);
    this.densPrev = new Float64Array(size);
    this.u = new Float64Array(size);
    this.uPrev = new Float64Array(size);
    this.v = new Float64Array(size);
    this.vPrev = new Float64Array(size);
  }

  addFields(x, s, dt) {
    for (let i = 0; i < x.length; i++) x[i] += dt * s[i];
  }

  setBnd(b, x) {
    const { width, height, rowSize } = this;
    if (b === 1) {
      for (let i = 1; i <= width; i++) {
        x[i] = x[i + rowSize];
        x[i + (height + 1) * rowSize] = x[i + height * rowSize];
      }
      for (let j = 1; j <= height; j++) {
        x[j * rowSize] = -x[1 + j * rowSize];
        x[width + 1 + j * rowSize] = -x[width + j * rowSize];
      }
    } else if (b === 2) {
      for (let i = 1; i <= width; i++) {
        x[i] = -x[i + rowSize];
        x[i + (height + 1) * rowSize] = -x[i + height * rowSize];
      }
      for (let j = 1; j <= height; j++) {
        x[j * rowSize] = x[1 + j * rowSize];
        x[width + 1 + j * rowSize] = x[width + j * rowSize];
      }
    } else {
      for (let i = 1; i <= width; i++) {
        x[i] = x[i + rowSize];
        x[i + (height + 1) * rowSize] = x[i + height * rowSize];
      }
      for (let j = 1; j <= height; j++) {
        x[j * rowSize] = x[1 + j * rowSize];
        x[width + 1 + j * rowSize] = x[width + j * rowSize];
      }
    }
    const maxEdge = (height + 1) * rowSize;
    x[0] = 0.5 * (x[1] + x[rowSize]);
    x[maxEdge] = 0.5 * (x[1 + maxEdge] + x[height * rowSize]);
    x[width + 1] = 0.5 * (x[width] + x[width + 1 + rowSize]);
    x[width + 1 + maxEdge] = 0.5 * (x[width + maxEdge] + x[width + 1 + height * rowSize]);
  }

  linSolve(b, x, x0, a, c) {
    const { width, height, rowSize } = this;
    if (a === 0 && c === 1) {
      for (let j = 1; j <= height; j++) {
        let current = j * rowSize + 1;
        for (let i = 0; i < width; i++) x[current] = x0[current++];
      }
      this.setBnd(b, x);
    } else {
      const invC = 1 / c;
      for (let k = 0; k < this.iterations; k++) {
        for (let j = 1; j <= height; j++) {
          let lastRow = (j - 1) * rowSize;
          let currentRow = j * rowSize;
          let nextRow = (j + 1) * rowSize;
          let lastX = x[currentRow];
          ++currentRow;
          for (let i = 1; i <= width; i++) {
            lastX = x[currentRow] = (x0[currentRow] + a * (lastX + x[++currentRow] + x[++lastRow] + x[++nextRow])) * invC;
          }
        }
        this.setBnd(b, x);
      }
    }
  }

  diffuse(b, x, x0) {
    const a = 0;
    this.linSolve(b, x, x0, a, 1 + 4 * a);
  }

  linSolve2(x, x0, y, y0, a, c) {
    const { width, height, rowSize } = this;
    if (a === 0 && c === 1) {
      for (let j = 1; j <= height; j++) {
        let current = j * rowSize + 1;
        for (let i = 0; i < width; i++) {
          x[current] = x0[current];
          y[current] = y0[current];
          current++;
        }
      }
      this.setBnd(1, x);
      this.setBnd(2, y);
    } else {
      const invC = 1 / c;
      for (let k = 0; k < this.iterations; k++) {
        for (let j = 1; j <= height; j++) {
          let lastRow = (j - 1) * rowSize;
          let currentRow = j * rowSize;
          let nextRow = (j + 1) * rowSize;
          let lastX = x[currentRow];
          let lastY = y[currentRow];
          ++currentRow;
          for (let i = 1; i <= width; i++) {
            lastX = x[currentRow] = (x0[currentRow] + a * (lastX + x[currentRow] + x[lastRow] + x[nextRow])) * invC;
            lastY = y[currentRow] = (y0[currentRow] + a * (lastY + y[++currentRow] + y[++lastRow] + y[++nextRow])) * invC;
          }
        }
        this.setBnd(1, x);
        this.setBnd(2, y);
      }
    }
  }

  diffuse2(x, x0, y, y0) {
    const a = 0;
    this.linSolve2(x, x0, y, y0, a, 1 + 4 * a);
  }

  advect(b, d, d0, u, v) {
    const { width, height, rowSize } = this;
    const wdt0 = this.dt * width;
    const hdt0 = this.dt * height;
    const wp5 = width + 0.5;
    const hp5 = height + 0.5;
    for (let j = 1; j <= height; j++) {
      let pos = j * rowSize;
      for (let i = 1; i <= width; i++) {
        let x = i - wdt0 * u[++pos];
        let y = j - hdt0 * v[pos];
        if (x < 0.5) x = 0.5;
        else if (x > wp5) x = wp5;
        const i0 = x | 0;
        const i1 = i0 + 1;
        if (y < 0.5) y = 0.5;
        else if (y > hp5) y = hp5;
        const j0 = y | 0;
        const j1 = j0 + 1;
        const s1 = x - i0, s0 = 1 - s1, t1 = y - j0, t0 = 1 - t1;
        const row1 = j0 * rowSize, row2 = j1 * rowSize;
        d[pos] = s0 * (t0 * d0[i0 + row1] + t1 * d0[i0 + row2]) + s1 * (t0 * d0[i1 + row1] + t1 * d0[i1 + row2]);
      }
    }
    this.setBnd(b, d);
  }

  project(u, v, p, div) {
    const { width, height, rowSize } = this;
    const h = -0.5 / Math.sqrt(width * height);
    for (let j = 1; j <= height; j++) {
      const row = j * rowSize;
      let previousRow = (j - 1) * rowSize;
      let prevValue = row - 1;
      let currentRow = row;
      let nextValue = row + 1;
      let nextRow = (j + 1) * rowSize;
      for (let i = 1; i <= width; i++) {
        div[++currentRow] = h * (u[++nextValue] - u[++prevValue] + v[++nextRow] - v[++previousRow]);
        p[currentRow] = 0;
      }
    }
    this.setBnd(0, div);
    this.setBnd(0, p);
    this.linSolve(0, p, div, 1, 4);
    const wScale = 0.5 * width;
    const hScale = 0.5 * height;
    for (let j = 1; j <= height; j++) {
      let prevPos = j * rowSize - 1;
      let currentPos = j * rowSize;
      let nextPos = j * rowSize + 1;
      let prevRow = (j - 1) * rowSize;
      let nextRow = (j + 1) * rowSize;
      for (let i = 1; i <= width; i++) {
        u[++currentPos] -= wScale * (p[++nextPos] - p[++prevPos]);
        v[currentPos] -= hScale * (p[++nextRow] - p[++prevRow]);
      }
    }
    this.setBnd(1, u);
    this.setBnd(2, v);
  }

  densStep(x, x0, u, v) {
    this.addFields(x, x0, this.dt);
    this.diffuse(0, x0, x);
    this.advect(0, x, x0, u, v);
  }

  velStep(u, v, u0, v0) {
    this.addFields(u, u0, this.dt);
    this.addFields(v, v0, this.dt);
    let temp = u0; u0 = u; u = temp;
    temp = v0; v0 = v; v = temp;
    this.diffuse2(u, u0, v, v0);
    this.project(u, v, u0, v0);
    temp = u0; u0 = u; u = temp;
    temp = v0; v0 = v; v = temp;
    this.advect(1, u, u0, u0, v0);
    this.advect(2, v, v0, u0, v0);
    this.project(u, v, u0, v0);
  }

  /** One frame: sources from `addSources`, then the velocity and density steps. */
  update(frame) {
    this.densPrev.fill(0);
    this.uPrev.fill(0);
    this.vPrev.fill(0);
    const n = this.width * this.height;
    // The same sources as the V8 benchmark's prepareFrame: a dense square and a swirl of velocity.
    for (let i = 1; i <= this.width; i += 8) {
      for (let j = 1; j <= this.height; j += 8) {
        const at = i + j * this.rowSize;
        this.densPrev[at] = ((frame + i + j) % 7) * 5;
        this.uPrev[at] = (j - this.height / 2) / n * 1000;
        this.vPrev[at] = (this.width / 2 - i) / n * 1000;
      }
    }
    this.velStep(this.u, this.v, this.uPrev, this.vPrev);
    this.densStep(this.dens, this.densPrev, this.u, this.v);
  }
}

/** Runs `frames` frames on a fresh 128x128 field; returns a checksum of the density. */
exports.run = function run(frames) {
  const field = new FluidField(128, 128);
  for (let f = 0; f < frames; f++) field.update(f);
  let sum = 0;
  for (let i = 0; i < field.dens.length; i++) sum += field.dens[i] * ((i % 13) + 1);
  return sum.toFixed(6);
};
