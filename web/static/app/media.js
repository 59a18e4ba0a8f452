// @ts-check
/**
 * Photos and signatures on the device: a camera photo is downscaled with a canvas to at
 * most 1280 px (JPEG), a signature is drawn on a canvas (PNG); both are addressed by the
 * sha256 of their bytes, which is how the server stores them.
 */

export const MAX_EDGE = 1280;
export const JPEG_QUALITY = 0.8;

/** @param {ArrayBuffer} bytes */
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A camera file made smaller: JPEG, longest edge ≤ MAX_EDGE.
 * @param {File} file @returns {Promise<{ sha256: string, bytes: ArrayBuffer, mime: string, width: number, height: number }>}
 */
export async function downscalePhoto(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.fillStyle = "#fff";
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const bytes = await (await toBlob(canvas, "image/jpeg", JPEG_QUALITY)).arrayBuffer();
  return { sha256: await sha256Hex(bytes), bytes, mime: "image/jpeg", width, height };
}

/** @param {HTMLCanvasElement} canvas @param {string} type @param {number} [quality] @returns {Promise<Blob>} */
function toBlob(canvas, type, quality) {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("canvas"))), type, quality));
}

/**
 * A signature pad on `canvas`: draw with finger or stylus.
 * @param {HTMLCanvasElement} canvas
 */
export function signaturePad(canvas) {
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  let drawing = false;
  let strokes = 0;
  let fitted = false;
  const ratio = window.devicePixelRatio || 1;
  /** Size the drawing surface to the pad on the screen; false while it is not laid out. */
  const fit = () => {
    const box = canvas.getBoundingClientRect();
    if (!box.width || !box.height) return false;
    fitted = true;
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.scale(ratio, ratio);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    strokes = 0;
    canvas.dataset.strokes = "0";
    return true;
  };
  /** @param {PointerEvent} event */
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (!fitted) fit(); // a finger faster than the first frame: size the pad before drawing
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = at(event);
    context.beginPath();
    context.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = at(event);
    context.lineTo(x, y);
    context.stroke();
    strokes += 1;
    canvas.dataset.strokes = String(strokes);
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  // sized once it is on the screen with a size (a form built slowly on a busy phone is
  // attached after the first frame: a 0×0 surface would take no ink and give no PNG), again
  // if the pad changes size before the first stroke, never after one (that would wipe the
  // owner's signature)
  new ResizeObserver(() => { if (strokes === 0) fit(); }).observe(canvas);
  return {
    isEmpty: () => strokes === 0,
    clear: () => void fit(),
    /** @returns {Promise<{ sha256: string, bytes: ArrayBuffer, mime: string }>} */
    async export() {
      const bytes = await (await toBlob(canvas, "image/png")).arrayBuffer();
      return { sha256: await sha256Hex(bytes), bytes, mime: "image/png" };
    },
  };
}
