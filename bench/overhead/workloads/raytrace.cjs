// RayTrace: a Whitted-style ray tracer (Adam Burmister's Flog.RayTracer scene as in the V8/Octane
// benchmark: a checkerboard plane, two spheres, one of them reflective and transparent, two
// lights), written here from the algorithm: primary rays, shadow rays, reflection to a fixed
// depth, diffuse and Blinn-Phong specular shading. The result is a checksum of the image.
'use strict';

class Vector {
  constructor(x, y, z) {
    this.x = x;
    this.y = y;
    this.z = z;
  }
  add(v) { return new Vector(this.x + v.x, this.y + v.y, this.z + v.z); }
  subtract(v) { return new Vector(this.x - v.x, this.y - v.y, this.z - v.z); }
  multiplyScalar(s) { return new Vector(this.x * s, this.y * s, this.z * s); }
  dot(v) { return this.x * v.x + this.y * v.y + this.z * v.z; }
  cross(v) { return new Vector(-this.z * v.y + this.y * v.z, this.z * v.x - this.x * v.z, -this.y * v.x + this.x * v.y); }
  magnitude() { return Math.sqrt(this.x * this.x + this.y * this.y + this.z * this.z); }
  normalize() {
    const m = this.magnitude();
    return new Vector(this.x / m, this.y / m, this.z / m);
  }
}

class Color {
  constructor(r, g, b) {
    this.red = r;
    this.green = g;
    this.blue = b;
  }
  add(c) { return new Color(this.red + c.red, this.green + c.green, this.blue + c.blue); }
  multiply(c) { return new Color(this.red * c.red, this.green * c.green, this.blue * c.blue); }
  multiplyScalar(f) { return new Color(this.red * f, this.green * f, this.blue * f); }
  blend(c, w) { return this.multiplyScalar(1 - w).add(c.multiplyScalar(w)); }
  limit() {
    const clamp = (v) => (v > 0 ? (v > 1 ? 1 : v) : 0);
    return new Color(clamp(this.red), clamp(this.green), clamp(this.blue));
  }
  brightness() {
    const r = Math.floor(this.red * 255), g = Math.floor(this.green * 255), b = Math.floor(this.blue * 255);
    return (r * 77 + g * 150 + b * 29) >> 8;
  }
}

class Material {
  constructor(reflection, transparency, gloss) {
    this.reflection = reflection;
    this.transparency = transparency;
    this.gloss = gloss;
    this.hasTexture = false;
  }
  wrapUp(t) {
    t = t % 2;
    if (t < -1) t += 2;
    if (t >= 1) t -= 2;
    return t;
  }
}

class Solid extends Material {
  constructor(color, reflection, refraction, transparency, gloss) {
    super(reflection, transparency, gloss);
    this.color = color;
    this.refraction = refraction;
  }
  getColor() { return this.color; }
}

class Chessboard extends Material {
  constructor(colorEven, colorOdd, reflection, transparency, gloss, density) {
    super(reflection, transparency, gloss);
    this.colorEven = colorEven;
    this.colorOdd = colorOdd;
    this.density = density;
    this.hasTexture = true;
  }
  getColor(u, v) {
    const t = this.wrapUp(u * this.density) * this.wrapUp(v * this.density);
    return t < 0 ? this.colorEven : this.colorOdd;
  }
}

class IntersectionInfo {
  constructor() {
    this.isHit = false;
    this.hitCount = 0;
    this.shape = null;
    this.position = null;
    this.normal = null;
    this.color = null;
    this.distance = 0;
  }
}

class Sphere {
  constructor(position, radius, material) {
    this.position = position;
    this.radius = radius;
    this.material = material;
  }
  intersect(ray) {
    const info = new IntersectionInfo();
    info.shape = this;
    const dst = ray.position.subtract(this.position);
    const B = dst.dot(ray.direction);
    const C = dst.dot(dst) - this.radius * this.radius;
    const D = B * B - C;
    if (D > 0) {
      info.isHit = true;
      info.distance = -B - Math.sqrt(D);
      info.position = ray.position.add(ray.direction.multiplyScalar(info.distance));
      info.normal = info.position.subtract(this.position).normalize();
      info.color = this.material.getColor(0, 0);
    }
    return info;
  }
}

class Plane {
  constructor(normal, d, material) {
    this.normal = normal;
    this.d = d;
    this.material = material;
  }
  intersect(ray) {
    const info = new IntersectionInfo();
    const vd = this.normal.dot(ray.direction);
    if (vd === 0) return info;
    const t = -(this.normal.dot(ray.position) + this.d) / vd;
    if (t <= 0) return info;
    info.shape = this;
    info.isHit = true;
    info.position = ray.position.add(ray.direction.multiplyScalar(t));
    info.normal = this.normal;
    info.distance = t;
    if (this.material.hasTexture) {
      const vU = new Vector(this.normal.y, this.normal.z, -this.normal.x);
      const vV = vU.cross(this.normal);
      info.color = this.material.getColor(info.position.dot(vU), info.position.dot(vV));
    } else {
      info.color = this.material.getColor(0, 0);
    }
    return info;
  }
}

class Ray {
  constructor(position, direction) {
    this.position = position;
    this.direction = direction;
  }
}

class Camera {
  constructor(position, lookAt, up) {
    this.position = position;
    this.lookAt = lookAt;
    this.up = up;
    this.equator = lookAt.normalize().cross(up);
    this.screen = position.add(lookAt);
  }
  getRay(vx, vy) {
    const pos = this.screen.subtract(this.equator.multiplyScalar(vx).subtract(this.up.multiplyScalar(vy)));
    pos.y = pos.y * -1;
    const dir = pos.subtract(this.position);
    return new Ray(pos, dir.normalize());
  }
}

class Light {
  constructor(position, color, intensity) {
    this.position = position;
    this.color = color;
    this.intensity = intensity;
  }
}

class Scene {
  constructor() {
    this.camera = new Camera(new Vector(0, 0, -15), new Vector(-0.2, 0, 5), new Vector(0, 1, 0));
    this.shapes = [
      new Plane(new Vector(0.1, 0.9, -0.5).normalize(), 1.2, new Chessboard(new Color(1, 1, 1), new Color(0, 0, 0), 0.2, 0, 1, 0.7)),
      new Sphere(new Vector(-1.5, 1.5, 2), 1.5, new Solid(new Color(0, 0.5, 0.5), 0.3, 0, 0, 2)),
      new Sphere(new Vector(1, 0.25, 1), 0.5, new Solid(new Color(0.9, 0.9, 0.9), 0.1, 0, 0, 1.5)),
    ];
    this.lights = [new Light(new Vector(5, 10, -1), new Color(0.8, 0.8, 0.8), 10), new Light(new Vector(-3, 5, -15), new Color(0.8, 0.8, 0.8), 100)];
    this.background = new Color(0, 0, 0);
    this.ambience = 0;
  }
}

class Engine {
  constructor(width, height, depth) {
    this.width = width;
    this.height = height;
    this.depth = depth;
  }
  render(scene) {
    let checksum = 0;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const yp = (y * 1) / this.height * 2 - 1;
        const xp = (x * 1) / this.width * 2 - 1;
        const ray = scene.camera.getRay(xp, yp);
        const color = this.getPixelColor(ray, scene);
        checksum = (checksum * 31 + color.brightness()) % 1000000007;
      }
    }
    return checksum;
  }
  getPixelColor(ray, scene) {
    const info = this.testIntersection(ray, scene, null);
    if (info.isHit) return this.rayTrace(info, ray, scene, 0);
    return scene.background;
  }
  testIntersection(ray, scene, exclude) {
    let hits = 0;
    let best = new IntersectionInfo();
    best.distance = 2000;
    for (let i = 0; i < scene.shapes.length; i++) {
      const shape = scene.shapes[i];
      if (shape !== exclude) {
        const info = shape.intersect(ray);
        if (info.isHit && info.distance >= 0 && info.distance < best.distance) {
          best = info;
          hits++;
        }
      }
    }
    best.hitCount = hits;
    return best;
  }
  getReflectionRay(P, N, V) {
    const c1 = -N.dot(V);
    const R1 = N.multiplyScalar(2 * c1).add(V);
    return new Ray(P, R1);
  }
  rayTrace(info, ray, scene, depth) {
    let color = info.color.multiplyScalar(scene.ambience);
    const shininess = Math.pow(10, info.shape.material.gloss + 1);
    for (let i = 0; i < scene.lights.length; i++) {
      const light = scene.lights[i];
      const v = light.position.subtract(info.position).normalize();
      const L = v.dot(info.normal);
      if (L > 0) color = color.add(info.color.multiply(light.color.multiplyScalar(L)));
      if (depth <= this.depth && info.shape.material.reflection > 0) {
        const reflectionRay = this.getReflectionRay(info.position, info.normal, ray.direction);
        const refl = this.testIntersection(reflectionRay, scene, info.shape);
        const reflColor = refl.isHit && refl.distance > 0 ? this.rayTrace(refl, reflectionRay, scene, depth + 1) : scene.background;
        color = color.blend(reflColor, info.shape.material.reflection);
      }
      const shadowInfo = this.testIntersection(new Ray(info.position, v), scene, info.shape);
      if (shadowInfo.isHit && shadowInfo.shape !== info.shape) {
        const dB = shadowInfo.shape.material.transparency * 0.5;
        color = color.multiplyScalar(0.5 + dB);
      }
      const Lv = light.position.subtract(info.position).normalize();
      const E = scene.camera.position.subtract(info.position).normalize();
      const H = E.subtract(Lv).normalize();
      const glossWeight = Math.pow(Math.max(info.normal.dot(H), 0), shininess);
      color = color.add(light.color.multiplyScalar(glossWeight));
    }
    return color.limit();
  }
}

/** Renders the scene at `size` x `size` pixels; returns the image checksum. */
exports.run = function run(size) {
  return String(new Engine(size, size, 2).render(new Scene()));
};
