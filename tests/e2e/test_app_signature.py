"""The owner's signature on a slow phone: a visit form can reach the screen after the first
frame (its draft is read from IndexedDB first); the pad must still take ink and give a PNG."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# builds the pad on a canvas that is not on the page yet, lets frames pass (as a busy phone
# does while the form is built), then attaches it, signs and exports
SIGN_ON_A_LATE_PAD = """async () => {
  const { signaturePad } = await import("/static/app/media.js");
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const canvas = document.createElement("canvas");
  canvas.style.cssText = "display:block;width:300px;height:160px";
  const pad = signaturePad(canvas);
  for (let i = 0; i < 3; i += 1) await frame();
  document.body.append(canvas);
  await frame(); await frame();
  const box = canvas.getBoundingClientRect();
  const at = (x, y, type) => canvas.dispatchEvent(new PointerEvent(type, {
    pointerId: 1, bubbles: true, clientX: box.left + x, clientY: box.top + y }));
  at(20, 80, "pointerdown");
  for (let x = 30; x < 280; x += 25) at(x, 80 + (x % 50) - 25, "pointermove");
  at(280, 80, "pointerup");
  const exported = await pad.export();
  const ink = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data.some((v) => v !== 0);
  return { width: canvas.width, height: canvas.height, bytes: exported.bytes.byteLength, ink, empty: pad.isEmpty() };
}"""


async def test_a_pad_attached_after_the_first_frame_still_takes_the_signature(live_server, page) -> None:
    await page.goto(live_server.url + "/app/")
    result = await page.evaluate(SIGN_ON_A_LATE_PAD)
    assert result["width"] >= 300 and result["height"] >= 160
    assert result["ink"] and not result["empty"]
    assert result["bytes"] > 500
