// pinch.mjs — two-finger pinch on a touch screen zooms the viewer. Emscripten's GLFW turns every touch into
// the left mouse button (one finger pans, as with a mouse); a second finger would only pan too. This turns a
// two-finger gesture into what a trackpad pinch already is in Chromium: Ctrl+wheel events with
// deltaY = -100 * ln(scale change), at the fingers' midpoint, which the C++ side (main.cpp) feeds to ImGui.
//
// How to use: installPinchZoom(canvas) once; #canvas has `touch-action: none` so the browser does not zoom
// the page itself.
export function installPinchZoom(canvas) {
  let lastDistance = 0;
  const midpoint = (t) => ({ x: (t[0].clientX + t[1].clientX) / 2, y: (t[0].clientY + t[1].clientY) / 2 });
  const spread = (t) => Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY);
  const onTouch = (e) => {
    if (e.target !== canvas || e.touches.length !== 2) {
      lastDistance = 0;
      return;
    }
    // Two fingers: GLFW must not see them (it would pan); release the button the first finger pressed.
    e.stopPropagation();
    e.preventDefault();
    const m = midpoint(e.touches), d = spread(e.touches);
    if (e.type === 'touchstart') {
      canvas.dispatchEvent(new MouseEvent('mouseup', { button: 0, clientX: m.x, clientY: m.y, bubbles: true }));
      canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: m.x, clientY: m.y, bubbles: true }));
    } else if (lastDistance > 0 && d > 0) {
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -100 * Math.log(d / lastDistance), deltaMode: 0,
                                                     ctrlKey: true, clientX: m.x, clientY: m.y,
                                                     bubbles: true, cancelable: true }));
    }
    lastDistance = d;
  };
  // Capture phase on the window runs before GLFW's listeners on the canvas.
  for (const type of ['touchstart', 'touchmove']) window.addEventListener(type, onTouch, { capture: true, passive: false });
}
