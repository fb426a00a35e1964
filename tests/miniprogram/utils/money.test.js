/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')

const { formatYuan, sumFen, formatRate, parseYuan } = require(path.join(ROOT, 'utils/money.js'))
const { periodLabel, billView, selectBills, selectAllPayable } = require(path.join(ROOT, 'utils/bills.js'))
const { monthInShanghai, formatMonth } = require(path.join(ROOT, 'utils/format.js'))
const { bill } = require('../helpers/fixtures')

test.each([
  [2533, '25.33'],
  [5066, '50.66'],
  [5, '0.05'],
  [30, '0.30'],
  [100, '1.00'],
  [0, '0.00'],
  [123456789, '1234567.89'],
  [-120, '-1.20'],
])('%i fen shows as %s yuan', (fen, text) => {
  expect(formatYuan(fen)).toBe(text)
})

test('sums are made in fen, so no float drift reaches the yuan', () => {
  // In yuan, 0.1 + 0.2 is 0.30000000000000004 and 25.33 * 3 is 75.99000000000001.
  expect(formatYuan(sumFen([10, 20]))).toBe('0.30')
  expect(sumFen([2533, 2533, 2533])).toBe(7599)
  expect(formatYuan(sumFen([2533, 2533, 2533]))).toBe('75.99')
})

test.each([
  [0.6667, '66.7%'],
  [0.0123, '1.2%'],
  [0.1235, '12.4%'],
  [1, '100.0%'],
  [0, '0.0%'],
  [0.5, '50.0%'],
  [null, '—'],
])('collection rate %p shows as %s', (rate, text) => {
  expect(formatRate(rate)).toBe(text)
})

test.each([
  ['2026-12', '2026年12月'],
  ['2026-01', '2026年1月'],
  ['2026Q4', '2026年第4季度'],
  ['2026', '2026年度'],
])('period %s reads as %s', (period, text) => {
  expect(periodLabel(period)).toBe(text)
})

test("this month is Shanghai's month, also on the last evening of a UTC month", () => {
  // 2026-11-30 17:00 UTC is already 1 December in Shanghai.
  expect(monthInShanghai(Date.parse('2026-11-30T17:00:00Z'))).toBe('2026-12')
  expect(formatMonth('2026-12')).toBe('2026年12月')
})

test('only unpaid bills can be ticked, and the total is theirs', () => {
  const bills = [
    bill({ id: 1, amount_fen: 2533 }),
    bill({ id: 2, amount_fen: 2533, period: '2026-11' }),
    bill({ id: 3, amount_fen: 999, status: 'pending' }),
    bill({ id: 4, amount_fen: 2533, status: 'paid', paid_at: '2026-10-08T09:30:00+08:00' }),
  ].map(billView)
  expect(selectAllPayable(bills)).toMatchObject({ selectedIds: [1, 2], totalFen: 5066, total: '50.66' })
  expect(selectBills(bills, [2, 3, 4])).toMatchObject({ selectedIds: [2], totalFen: 2533, total: '25.33' })
  expect(selectBills(bills, [])).toMatchObject({ selectedIds: [], totalFen: 0, total: '0.00' })
  expect(bills[3]).toMatchObject({ payable: false, statusLabel: '已缴', paidOn: '2026-10-08' })
})

describe('parseYuan: typed yuan to integer fen, without float arithmetic', () => {
  test.each([
    ['25.33', 2533],
    ['25.3', 2530],
    ['0.1', 10],
    ['0.07', 7],
    ['1.15', 115], // 1.15 * 100 is 114.99999999999999 in floats
    ['4.35', 435], // 4.35 * 100 is 434.99999999999994
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996
    ['7', 700],
    ['0', 0],
    ['0.00', 0],
    ['007.05', 705],
    [' 25.33 ', 2533],
    ['9999999.99', 999999999],
  ])('%p is %i fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen)
  })

  test.each([
    ['25.335'], // a fen cannot be split
    [''],
    ['   '],
    ['abc'],
    ['25,33'],
    ['-1'],
    ['+1'],
    ['1e3'],
    ['.5'],
    ['25.'],
    ['1 000'],
    ['10000000'], // over the server's 10^9 fen
    [null],
    [undefined],
  ])('%p is refused', (text) => {
    expect(parseYuan(text)).toBeNull()
  })

  test('what formatYuan shows reads back as the same fen', () => {
    for (const fen of [0, 1, 9, 10, 99, 100, 115, 2533, 123456789]) {
      expect(parseYuan(formatYuan(fen))).toBe(fen)
    }
  })
})
