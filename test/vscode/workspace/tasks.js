// Task functions of the fixture pools (named exports; every worker loads this module).
// spin() costs more for some items than others, so the pool has something to balance.
exports.spin = function spin(n) {
  let x = 0;
  const rounds = 4000 * (1 + (n % 5));
  for (let i = 0; i < rounds; i++) {
    x += Math.sqrt(i * n + 1) * Math.sin(i);
  }
  return x;
};

exports.addSquare = function addSquare(acc, n) {
  let s = 0;
  for (let i = 0; i < 2000; i++) s += (n * i) % 7;
  return acc + s;
};
