import { applyMask, maskAccountNumber, maskName, maskPlate, maskTail, maskToken, maskAddress } from './mask';

describe('masking what identifies a resident', () => {
  it('shows only the ends of an account number', () => {
    expect(maskAccountNumber('4101000001')).toBe('41****0001');
    expect(maskAccountNumber('4101000001')).not.toContain('01000');
  });

  it('keeps the province and letter of a plate and its last two characters', () => {
    expect(maskPlate('豫A12345')).toBe('豫A***45');
  });

  it('keeps the first character of a name', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李四')).toBe('李*');
  });

  it('hides short values entirely', () => {
    expect(maskTail('123', 4)).toBe('***');
    expect(maskToken('abc')).toBe('***');
  });

  it('never shows a token beyond a short prefix', () => {
    expect(maskToken('s3cr3t-session-token-value')).toBe('s3cr…');
  });

  it('applies the rule a manifest names', () => {
    expect(applyMask('none', 'x1')).toBe('x1');
    expect(applyMask('tail4', '6217000012345678')).toBe('************5678');
    expect(applyMask('full', '密码')).toBe('**');
  });

  it.each([
    ['郑州市金水区花园路 8 号', '郑州市金水区****'],
    ['河南省郑州市金水区花园路8号', '河南省郑州市金水区****'],
    ['杭州市西湖区文三路 10 号', '杭州市西湖区****'],
    ['北京市朝阳区建国路88号', '北京市朝阳区****'],
    ['巩义市紫荆路1号', '巩义市****'],
    ['郑州市测试路', '郑州市****'],
    ['花园路8号', '****'],
    ['郑州市金水区****', '郑州市金水区****'],
  ])('masks the address %s to its district', (address, masked) => {
    expect(maskAddress(address)).toBe(masked);
  });
});
