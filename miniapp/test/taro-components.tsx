/**
 * @tarojs/components as plain DOM elements, for component tests in jsdom:
 * View/Text/ScrollView render as div/span, Input as an <input> whose onInput
 * gets Taro's `{ detail: { value } }`.
 */
import type { ReactNode } from 'react';

type Props = { children?: ReactNode; className?: string; id?: string; onClick?: () => void; [key: string]: unknown };

const passthrough = ({ children, className, id, onClick, ...rest }: Props) => {
  const data = Object.fromEntries(Object.entries(rest).filter(([k]) => k.startsWith('data-')));
  return { children, className, id, onClick, ...data };
};

export const View = (props: Props) => <div {...passthrough(props)} />;
export const Text = (props: Props) => <span {...passthrough(props)} />;
export const ScrollView = (props: Props) => <div {...passthrough(props)} />;
export const Image = ({ src, className }: { src: string; className?: string }) => <img src={src} className={className} alt='' />;
// The keyboard Taro would open (type) is kept as data-type: a jsdom number input would drop what is not a number.
export const Input = ({ value, placeholder, onInput, className, type }: { value?: string; placeholder?: string; className?: string; type?: string; onInput?: (e: { detail: { value: string } }) => void }) => (
  <input className={className} value={value} placeholder={placeholder} data-type={type ?? 'text'} onChange={(e) => onInput?.({ detail: { value: e.target.value } })} />
);

/** A canvas: jsdom draws nothing (no 2d context), so a chart's data is what tests can check. */
export const Canvas = (props: Props) => <canvas {...passthrough(props)} />;
