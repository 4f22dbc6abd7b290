// A stand-in for "武汉水务" — a provider of your own, outside cityhub's sandbox,
// used by docs/adapters.md. Plain Node, no dependencies:
//   node docs/examples/wuhan-water/provider.mjs            (port 4201)
//   PORT=0 node docs/examples/wuhan-water/provider.mjs     (any free port; the URL is printed)
// Its API: bearer token "wuhan-demo-token"; amounts as yuan strings.
import http from 'node:http';

const TOKEN = 'wuhan-demo-token';
const accounts = {
  WH00000001: { name: '周丽', area: '武昌区', bills: [{ no: 'WH-2609-0001', month: '2026-09', due: '38.50' }, { no: 'WH-2610-0001', month: '2026-10', due: '41.20' }] },
  WH00000002: { name: '吴刚', area: '汉口', bills: [] },
};
const paid = new Map(); // bill no -> payment
const payments = new Map(); // cityhub order number -> payment

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { result: 'DENIED' });
    const url = new URL(req.url, 'http://localhost');
    const body = raw ? JSON.parse(raw) : {};
    if (req.method === 'GET' && url.pathname === '/ping') return send(res, 200, { result: 'OK' });
    if (req.method === 'POST' && url.pathname === '/query') {
      const account = accounts[body.hh];
      if (!account) return send(res, 200, { result: 'NO_SUCH_HH' });
      const owed = account.bills.filter((b) => !paid.has(b.no));
      return send(res, 200, { result: 'OK', holder: account.name, area: account.area, owed });
    }
    if (req.method === 'POST' && url.pathname === '/pay') {
      const again = payments.get(body.orderNo);
      if (again) return send(res, 200, { result: 'OK', receipt: again.receipt }); // the same order twice is one payment
      const account = accounts[body.hh];
      if (!account) return send(res, 200, { result: 'NO_SUCH_HH' });
      const bills = account.bills.filter((b) => body.bills.includes(b.no) && !paid.has(b.no));
      if (bills.length !== body.bills.length) return send(res, 200, { result: 'BILL_NOT_OWED' });
      const payment = { receipt: `WHR${String(payments.size + 1).padStart(6, '0')}`, orderNo: body.orderNo };
      payments.set(body.orderNo, payment);
      for (const b of bills) paid.set(b.no, payment);
      return send(res, 200, { result: 'OK', receipt: payment.receipt });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/pay/')) {
      const payment = payments.get(decodeURIComponent(url.pathname.slice(5)));
      return send(res, 200, payment ? { result: 'OK', receipt: payment.receipt } : { result: 'NO_PAYMENT' });
    }
    send(res, 404, { result: 'NOT_FOUND' });
  });
});

server.listen(Number(process.env.PORT ?? 4201), '127.0.0.1', () => {
  console.log(`wuhan-water provider listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
