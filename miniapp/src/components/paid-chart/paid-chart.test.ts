import { BAR_COLOUR, drawPaidChart } from './index';

/**
 * A 2d context that records what is drawn: the fill colour of every fill and
 * every text written. Stands for the mini-program's canvas node, which has no
 * DOM behind it.
 */
function recordingContext(canvas: { width: number; height: number }) {
  // Each fill with its colour and the height of the last rectangle traced before it (a bar).
  const drawn = { fills: [] as Array<{ colour: string; height: number }>, texts: [] as string[] };
  let lastHeight = 0;
  const state: Record<string, unknown> = { canvas, fillStyle: '#000' };
  const context = new Proxy(state, {
    get(target, prop: string) {
      if (prop in target) return target[prop];
      if (prop === 'measureText') return (t: string) => ({ width: String(t).length * 6 });
      if (prop === 'getImageData') return (_x: number, _y: number, w: number, h: number) => ({ data: new Uint8ClampedArray(Math.max(1, w * h) * 4) });
      if (prop === 'rect') return (_x: number, _y: number, _w: number, h: number) => (lastHeight = Math.abs(h));
      if (prop === 'beginPath') return () => (lastHeight = 0);
      if (prop === 'fill') return () => drawn.fills.push({ colour: String(target.fillStyle).toLowerCase(), height: lastHeight });
      if (prop === 'fillText') return (text: string) => drawn.texts.push(text);
      return () => undefined;
    },
    set(target, prop: string, value) {
      target[prop] = value;
      return true;
    },
  });
  return { context, drawn };
}

/** The bars drawn: green fills with a height. */
const bars = (fills: Array<{ colour: string; height: number }>) => fills.filter((f) => f.colour === BAR_COLOUR && f.height > 0.5);

/** g draws on its next frame, not within render(). */
const nextFrames = () => new Promise((resolve) => setTimeout(resolve, 300));

const months = (paid: Record<string, number>) =>
  Array.from({ length: 12 }, (_, i) => {
    const month = `2026-${String(i + 1).padStart(2, '0')}`;
    return { month, paidFen: paid[month] ?? 0, orders: paid[month] ? 1 : 0, usage: null };
  });

describe('the paid chart (F2)', () => {
  it('draws a green bar per paid month and labels the months, given a context and an offscreen canvas only (as in WeChat)', async () => {
    const screen = recordingContext({ width: 640, height: 360 });
    const offscreenCanvas = { width: 10, height: 10, getContext: () => recordingContext(offscreenCanvas).context };
    const chart = await drawPaidChart({ context: screen.context, width: 320, pixelRatio: 2, offscreenCanvas }, months({ '2026-09': 18770, '2026-11': 7420 }));
    await nextFrames();
    chart.destroy();
    expect(bars(screen.drawn.fills)).toHaveLength(2);
    expect(screen.drawn.texts).toEqual(expect.arrayContaining(['1月', '9月', '11月', '12月']));
  });

  it('draws no bar for months with nothing paid', async () => {
    const screen = recordingContext({ width: 640, height: 360 });
    const offscreenCanvas = { width: 10, height: 10, getContext: () => recordingContext(offscreenCanvas).context };
    const chart = await drawPaidChart({ context: screen.context, width: 320, pixelRatio: 2, offscreenCanvas }, months({ '2026-03': 100 }));
    await nextFrames();
    chart.destroy();
    expect(bars(screen.drawn.fills)).toHaveLength(1);
  });
});
