import { fireEvent, render, screen } from '@testing-library/react';
import { navigated } from '../../test/taro';
import { PageState } from './page-state';

beforeEach(() => {
  navigated.length = 0;
});

describe('the shared page state', () => {
  it('shows an empty page with a local picture, why it is empty, its ways out and 返回', () => {
    const chosen: string[] = [];
    render(<PageState empty='当前没有待缴账单' actions={[{ id: 'switch-account', label: '换户号', onClick: () => chosen.push('换户号') }]} />);
    const img = document.querySelector('#page-empty img')!;
    // Bundled with the app, never NutUI's remote default the CSP blocks.
    expect(img.getAttribute('src')).not.toMatch(/^https?:/);
    expect(screen.getByText('当前没有待缴账单')).toBeTruthy();
    fireEvent.click(document.getElementById('switch-account')!);
    expect(chosen).toEqual(['换户号']);
    fireEvent.click(document.getElementById('page-empty-back')!);
    expect(navigated).toEqual(['back']);
  });

  it('shows the content when there is something', () => {
    render(
      <PageState empty={null}>
        <span>账单</span>
      </PageState>,
    );
    expect(screen.getByText('账单')).toBeTruthy();
    expect(document.getElementById('page-empty')).toBeNull();
  });
});
