interface Order { id: number; qty: number }

function total(orders: Order[]): number {
  let sum = 0;
  for (const order of orders) {
    if (order.qty < 0) throw new Error(`negative quantity in order ${order.id}`);
    sum += order.qty;
  }
  return sum;
}

console.log(total([{ id: 1, qty: 2 }, { id: 2, qty: -1 }]));
export {};
