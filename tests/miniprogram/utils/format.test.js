/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')

const { formatShortTime, formatDate, todayInShanghai } = require(path.join(ROOT, 'utils/format.js'))

// 2024-12-05 10:00 in Shanghai.
const NOW = Date.parse('2024-12-05T02:00:00Z')

test('short times read as Shanghai wall-clock time, without reparsing', () => {
  expect(formatShortTime('2024-12-01T15:01:00+08:00', NOW)).toBe('12月1日 15:01')
  expect(formatShortTime('2024-01-09T08:05:00+08:00', NOW)).toBe('1月9日 08:05')
})

test('another year is spelled out', () => {
  expect(formatShortTime('2023-12-31T23:59:00+08:00', NOW)).toBe('2023年12月31日 23:59')
})

test('nothing in, nothing out', () => {
  expect(formatShortTime(null, NOW)).toBe('')
  expect(formatDate('')).toBe('')
})

test('a follow-up date reads as month and day', () => {
  expect(formatDate('2024-12-10')).toBe('12月10日')
})

test("today is Shanghai's date even when UTC is still on yesterday", () => {
  expect(todayInShanghai(Date.parse('2024-12-04T16:30:00Z'))).toBe('2024-12-05')
  expect(todayInShanghai(Date.parse('2024-12-04T15:59:00Z'))).toBe('2024-12-04')
})
