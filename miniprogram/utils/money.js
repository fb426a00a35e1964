// Money is integer fen everywhere (the server's and WeChat Pay's unit). Yuan
// are only ever text, built from the integer, so no float arithmetic can drift.

// 2533 → "25.33", 5 → "0.05", -120 → "-1.20".
function formatYuan(fen) {
  const value = Math.round(Number(fen) || 0)
  const abs = Math.abs(value)
  const cents = String(abs % 100).padStart(2, '0')
  return `${value < 0 ? '-' : ''}${Math.floor(abs / 100)}.${cents}`
}

// The total of some amounts in fen (integers, so the sum is exact).
function sumFen(amounts) {
  return amounts.reduce((total, fen) => total + (Number(fen) || 0), 0)
}

// The server's collection rate (0..1, four decimals, or null when nothing was
// billed) as a percentage with one decimal: 0.6667 → "66.7%".
function formatRate(rate) {
  if (rate === null || rate === undefined || rate === '') return '—'
  const tenths = Math.round(Math.round(Number(rate) * 10000) / 10)
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`
}

module.exports = { formatYuan, sumFen, formatRate }
