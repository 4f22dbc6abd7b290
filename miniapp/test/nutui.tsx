/** The few NutUI components the mini-program uses, as plain elements (NutUI itself is not under test). */
import type { ReactNode } from 'react';

export const Button = ({ children, disabled, loading }: { children?: ReactNode; disabled?: boolean; loading?: boolean }) => (
  <button disabled={disabled} data-loading={loading ? 'true' : undefined}>
    {children}
  </button>
);
export const Checkbox = ({ checked, className }: { checked?: boolean; className?: string }) => <input type='checkbox' className={className} readOnly checked={!!checked} />;
export const Loading = ({ children }: { children?: ReactNode }) => <div>{children}</div>;
export const Empty = ({ description }: { description?: string }) => <div>{description}</div>;
