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

// What someone typed in yuan as integer fen, read digit by digit so no float
// rounding can creep in: "25.33" → 2533, "25.3" → 2530, "0.1" → 10, "7" → 700,
// " 25.33 " → 2533. Anything else is null: "", "abc", "-1", "1e3", ".5", "25.",
// more than two decimals ("25.335": a fen cannot be split), more than
// 9 999 999.99 yuan.
const YUAN = /^(\d{1,7})(?:\.(\d{1,2}))?$/

function parseYuan(text) {
  const match = YUAN.exec(String(text === null || text === undefined ? '' : text).trim())
  if (!match) return null
  const cents = (match[2] || '').padEnd(2, '0')
  return Number(match[1]) * 100 + Number(cents)
}

module.exports = { formatYuan, sumFen, formatRate, parseYuan }
