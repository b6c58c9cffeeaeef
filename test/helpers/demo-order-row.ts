// Riley's order A-1001 as the demo's orders query returns it (Postgres text: the amount a numeric
// string, the delivery date a fixed day), the row the offline demo's agent reads back and the
// card's "Looked up this turn" block shows.
export const demoOrderRow = {
  id: 'A-1001',
  customer: 'Riley Requester',
  item: 'Ceramic teapot, blue',
  amount: '120.00',
  currency: 'EUR',
  status: 'delivered',
  delivered_on: '2026-12-05',
};
