import { useEffect, useRef } from 'react';
import Taro from '@tarojs/taro';
import { Canvas as TaroCanvas } from '@tarojs/components';
import { Axis, Canvas, Chart, Interval, jsx } from '@antv/f2';
import type { HistoryMonth } from '@cityhub/shared';

/** Chart height in CSS pixels (the width is the card's). */
const HEIGHT = 180;
/** Axis labels in CSS pixels, readable on a phone (F2's theme sizes assume a 750-wide design and come out tiny here); grey that passes AA. */
const AXIS_STYLE = { label: { fontSize: 11, fill: '#595959' } };
/** The bars: WeChat green. */
export const BAR_COLOUR = '#07c160';

/**
 * What F2 needs of a canvas, in both worlds. The mini-program's tsconfig has
 * no DOM types (issue 11), so the two canvases are described here.
 */
interface CanvasNode {
  width: number;
  height: number;
  getContext(kind: '2d'): unknown;
}
/** A DOM canvas in h5. */
type H5Canvas = CanvasNode & { getBoundingClientRect(): { width: number } };
interface H5Globals {
  devicePixelRatio?: number;
}

/** F2's element factory, typed loosely: its classes and our JSX settings disagree on element types. */
const h = jsx as unknown as (type: unknown, props: Record<string, unknown>, ...children: unknown[]) => { props: Record<string, unknown> };

/** One bar per month, in yuan (the axis reads in yuan; the data stays integer fen until here). */
function rows(months: HistoryMonth[]) {
  return months.map((m) => ({ month: `${Number(m.month.slice(5))}月`, yuan: m.paidFen / 100 }));
}

/** Where a chart is drawn: a 2d context, its CSS width, the device pixel ratio, and (with no DOM) a canvas to measure text on. */
export interface ChartTarget {
  context: unknown;
  width: number;
  pixelRatio: number;
  /** F2 measures text on an offscreen canvas, made from `document` unless given one: the mini-program has no `document`. */
  offscreenCanvas?: unknown;
}

/** The canvas and its 2d context: the DOM canvas in h5, the canvas node of a type="2d" canvas in the mini-program. */
async function canvasOf(id: string, el: H5Canvas | null): Promise<ChartTarget | null> {
  if (process.env.TARO_ENV === 'h5') {
    const web = globalThis as unknown as H5Globals;
    const context = el?.getContext('2d') ?? null;
    if (!el || !context) return null;
    const width = el.getBoundingClientRect().width || 320;
    const pixelRatio = web.devicePixelRatio ?? 1;
    el.width = Math.round(width * pixelRatio);
    el.height = Math.round(HEIGHT * pixelRatio);
    return { context, width, pixelRatio };
  }
  const [found] = await new Promise<Array<{ node?: CanvasNode; width: number } | null>>((resolve) => {
    Taro.createSelectorQuery().select(`#${id}`).fields({ node: true, size: true }).exec(resolve);
  });
  if (!found?.node) return null;
  const pixelRatio = Taro.getSystemInfoSync().pixelRatio;
  found.node.width = Math.round(found.width * pixelRatio);
  found.node.height = Math.round(HEIGHT * pixelRatio);
  return { context: found.node.getContext('2d'), width: found.width, pixelRatio, offscreenCanvas: Taro.createOffscreenCanvas({ type: '2d', width: 10, height: 10 }) };
}

/** Draws the months as bars with F2 on a target; no animation (a mini-program canvas has no page requestAnimationFrame, and bars need none). */
export async function drawPaidChart(target: ChartTarget, months: HistoryMonth[]): Promise<Canvas> {
  const { props } = h(
    Canvas,
    { context: target.context, pixelRatio: target.pixelRatio, width: target.width, height: HEIGHT, animate: false, ...(target.offscreenCanvas ? { offscreenCanvas: target.offscreenCanvas } : {}) },
    h(Chart, { data: rows(months) }, h(Axis, { field: 'month', style: AXIS_STYLE }), h(Axis, { field: 'yuan', tickCount: 3, style: AXIS_STYLE }), h(Interval, { x: 'month', y: 'yuan', color: BAR_COLOUR })),
  );
  const canvas = new Canvas(props);
  await canvas.render();
  return canvas;
}

/**
 * The last 12 months paid through the hub, as bars, drawn with F2 (AntV's
 * mobile charts) on a Taro canvas: the same code in WeChat and h5. Kept in
 * its own module so only the bills subpackage (and, in h5, only when a chart
 * is shown) loads it.
 */
export default function PaidChart({ id, months }: { id: string; months: HistoryMonth[] }) {
  const drawn = useRef<Canvas | null>(null);
  // h5 draws on a plain DOM canvas: Taro's h5 canvas is a web component whose inner canvas appears only after it hydrates.
  const h5Canvas = useRef<H5Canvas | null>(null);

  useEffect(() => {
    const run = { cancelled: false };
    void (async () => {
      const target = await canvasOf(id, h5Canvas.current);
      if (!target || run.cancelled) return;
      drawn.current?.destroy();
      drawn.current = await drawPaidChart(target, months);
    })();
    return () => {
      run.cancelled = true;
    };
  }, [id, months]);

  useEffect(() => () => drawn.current?.destroy(), []);

  if (process.env.TARO_ENV === 'h5') {
    return <canvas ref={(el) => void (h5Canvas.current = el as unknown as H5Canvas | null)} id={id} className='paid-chart' style={{ width: '100%', height: `${HEIGHT}px` }} />;
  }
  return <TaroCanvas type='2d' id={id} className='paid-chart' style={{ width: '100%', height: `${HEIGHT}px` }} />;
}
