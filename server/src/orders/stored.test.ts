import { storedAccountMasked, storedBillRefs, storedBills } from './stored';

describe('the JSON text columns of orders', () => {
  const bill = { ref: 'B1', period: '2026-10', title: '10 月电费', amountFen: 9870, lateFeeFen: 0, totalFen: 9870, dueDate: null, lineItems: [] };

  it('reads bills written before usage and overdue were stored, with their defaults', () => {
    expect(storedBills(JSON.stringify([bill]))).toEqual([{ ...bill, usage: null, overdue: false }]);
  });

  it('fails naming the column when the stored text is not JSON or not the shape', () => {
    expect(() => storedBillRefs('not json')).toThrow('orders.bill_refs: the stored text is not JSON');
    expect(() => storedBillRefs('[1, 2]')).toThrow(/orders\.bill_refs: the stored JSON does not match/);
    expect(() => storedBills(JSON.stringify([{ ...bill, amountFen: 98.7 }]))).toThrow(/orders\.bills/);
    expect(() => storedAccountMasked('{"consNo": 4101}')).toThrow(/orders\.account_masked/);
  });

  it('reads what the hub writes', () => {
    expect(storedBillRefs('["B1","B2"]')).toEqual(['B1', 'B2']);
    expect(storedAccountMasked('{"consNo":"41****0001"}')).toEqual({ consNo: '41****0001' });
  });
});
