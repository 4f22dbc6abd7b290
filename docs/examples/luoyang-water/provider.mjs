// A stand-in for "洛阳供水" — the second worked example of docs/adapters.md:
// a gateway shaped the way many utility gateways are. Plain Node, no dependencies:
//   node docs/examples/luoyang-water/provider.mjs            (port 4202)
//   PORT=0 node docs/examples/luoyang-water/provider.mjs     (any free port; the URL is printed)
// One endpoint, POST /gateway, form-encoded, with a `service` parameter
// (query_account, query_bills, pay, pay_status), `timestamp` and `nonce_str`;
// every request and every answer signed: MD5 over the sorted non-empty
// parameters plus "&key=<key>", upper-case hex, in `sign`. Answers are JSON
// with string codes ("0000" ok, "1001" no such account, "1002" nothing owed,
// "2001" amount mismatch, "2003" bill frozen, "9001" bad signature). Amounts
// are yuan strings. `pay` takes ONE bill per call, idempotent on `pay_no`.
// There is no health endpoint. GET /__sandbox/payments lists the payments it took (for tests).
import { createHash } from 'node:crypto';
import http from 'node:http';

const KEY = 'luoyang-demo-key';
const accounts = {
  LY00000001: { name: '王小明', area: '洛阳市西工区', bills: [{ no: 'LY-2609-01', ym: '202609', je: '31.50' }, { no: 'LY-2610-01', ym: '202610', je: '28.70' }] },
  LY00000002: { name: '赵敏', area: '洛阳市涧西区', bills: [] },
  // Its October bill is frozen at the provider: paying both, the resident gets October back.
  LY00000003: { name: '孙浩', area: '洛阳市老城区', bills: [{ no: 'LY-2609-03', ym: '202609', je: '19.90' }, { no: 'LY-2610-03', ym: '202610', je: '22.40', frozen: true }] },
  // The sandbox account for verification: its bill may be paid by the conformance kit.
  LY00000009: { name: '测试户', area: '洛阳市洛龙区', bills: [{ no: 'LY-2610-09', ym: '202610', je: '1.00' }] },
};
const paid = new Map(); // bill no -> pay_no
const payments = new Map(); // pay_no -> { bill, flow }

function sign(params) {
  const text = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${KEY}`, 'utf8').digest('hex').toUpperCase();
}

function answer(res, fields) {
  const body = { ...fields, nonce_str: Math.random().toString(36).slice(2) };
  body.sign = sign(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function handle(p) {
  const account = accounts[p.hh];
  switch (p.service) {
    case 'query_account':
      return account ? { ret_code: '0000', name: account.name, addr: account.area } : { ret_code: '1001', ret_msg: '户号不存在' };
    case 'query_bills': {
      if (!account) return { ret_code: '1001', ret_msg: '户号不存在' };
      const owed = account.bills.filter((b) => !paid.has(b.no));
      if (!owed.length) return { ret_code: '1002', ret_msg: '无欠费' };
      return { ret_code: '0000', bills: JSON.stringify(owed.map(({ no, ym, je }) => ({ no, ym, je }))) };
    }
    case 'pay': {
      const done = payments.get(p.pay_no);
      if (done) {
        done.calls++;
        return { ret_code: '0000', flow: done.flow }; // the same pay_no twice is one payment
      }
      const bill = account?.bills.find((b) => b.no === p.bill_no);
      if (!bill || paid.has(bill.no)) return { ret_code: '1002', ret_msg: '账单已缴清' };
      if (bill.je !== p.je) return { ret_code: '2001', ret_msg: '金额不符' };
      if (bill.frozen) return { ret_code: '2003', ret_msg: '账单已冻结' };
      const flow = `LYF${String(payments.size + 1).padStart(8, '0')}`;
      payments.set(p.pay_no, { bill: bill.no, flow, calls: 1 });
      paid.set(bill.no, p.pay_no);
      return { ret_code: '0000', flow };
    }
    case 'pay_status': {
      const done = payments.get(p.pay_no);
      return done ? { ret_code: '0000', state: 'SUCCESS', flow: done.flow } : { ret_code: '0000', state: 'NOT_FOUND' };
    }
    default:
      return { ret_code: '9002', ret_msg: '未知服务' };
  }
}

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    // The sandbox's own journal (not part of the gateway): every payment number and how often it was sent.
    if (req.method === 'GET' && req.url === '/__sandbox/payments') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return res.end(JSON.stringify({ payments: [...payments].map(([payNo, p]) => ({ payNo, bill: p.bill, flow: p.flow, calls: p.calls })) }));
    }
    if (req.method !== 'POST' || req.url !== '/gateway') return answer(res, { ret_code: '9404', ret_msg: 'no such endpoint' });
    const p = Object.fromEntries(new URLSearchParams(raw));
    if (!p.timestamp || !p.nonce_str || p.sign !== sign(p)) return answer(res, { ret_code: '9001', ret_msg: '签名错误' });
    if (Math.abs(Date.now() / 1000 - Number(p.timestamp)) > 300) return answer(res, { ret_code: '9003', ret_msg: '时间戳过期' });
    answer(res, handle(p));
  });
});

server.listen(Number(process.env.PORT ?? 4202), '127.0.0.1', () => {
  console.log(`luoyang-water provider listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
