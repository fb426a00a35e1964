/**
 * @jest-environment node
 *
 * Changes of money waiting for a second committee member, and a unit's
 * electricity readings, as the committee and the liaisons read them.
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')

const { changeView, readingView, rateText, flagText } = require(path.join(ROOT, 'utils/changes.js'))
const { billStatusLabel } = require(path.join(ROOT, 'utils/labels.js'))

test.each([
  ['0.3500', '0.35 元/m²/月'],
  ['0.40', '0.40 元/m²/月'],
  ['0.3525', '0.3525 元/m²/月'],
  ['1', '1.00 元/m²/月'],
  [null, '未设'],
])('a rate of %s reads %s', (rate, text) => {
  expect(rateText(rate)).toBe(text)
})

test('no flag, no words; a flag says how far above the recent average', () => {
  expect(flagText(null)).toBe('')
  const flag = { multiple: 3, average_fen: 450, ratio: 4.1, recent: [{ period: '2026-11', amount_fen: 450 }] }
  expect(flagText(flag)).toBe('偏高：是近 1 次读数平均（¥4.50）的 4.1 倍')
})

test('a fee change lists every field old → new, and from which period', () => {
  const view = changeView({
    id: 3,
    kind: 'fee_change',
    details: {
      item_name: '自治管理费',
      from: { cycle: 'monthly', vacant_rule: 'charge', active: true },
      to: { cycle: 'quarterly', vacant_rule: 'exempt', active: false },
    },
    effective_period: '2027Q1',
    proposed_by: '张主任',
    created_at: '2026-12-05T09:00:00+08:00',
    mine: false,
  })
  expect(view.lines).toEqual(['自治管理费', '收费周期：按月 → 按季', '空置房：照收 → 免收', '收费：启用 → 停用'])
  expect(view.effective).toBe('自2027年第1季度账单起')
  expect(view.question).toBe('确认后收费标准自2027年第1季度账单起调整。')
})

test('a shared meter change has no period: it shapes every reading confirmed after it', () => {
  const view = changeView({
    id: 4,
    kind: 'fee_change',
    details: { item_name: '楼道公用电费', from: { vacant_rule: 'charge' }, to: { vacant_rule: 'exempt' }, effective_label: '此后确认的每一笔电费起' },
    effective_period: null,
  })
  expect(view.effective).toBe('此后确认的每一笔电费起')
})

test('a kind this version does not know shows the server’s summary', () => {
  const view = changeView({ id: 5, kind: 'something_new', summary: '新的待确认事项', details: {} })
  expect(view).toMatchObject({ kindLabel: '待确认事项', lines: ['新的待确认事项'], question: '确认后生效。' })
})

describe('a unit’s readings', () => {
  const reading = (overrides) =>
    Object.assign(
      { id: 1, period: '2026-12', amount_fen: 450, status: 'confirmed', flag: null, entered_by: '李师傅', open_change: null },
      overrides
    )

  test('waiting to be confirmed: no bills yet, said plainly', () => {
    const view = readingView(reading({ status: 'pending', open_change: { id: 9, kind: 'meter_reading' } }))
    expect(view).toMatchObject({
      period: '2026年12月',
      amount: '4.50',
      statusLabel: '待确认',
      waiting: '等待另一位业委会成员确认，确认后才出账',
      canVoid: false,
    })
  })

  test('confirmed: may be voided; a void asked for waits too', () => {
    expect(readingView(reading()).canVoid).toBe(true)
    const asked = readingView(reading({ open_change: { id: 10, kind: 'meter_void' } }))
    expect(asked).toMatchObject({ canVoid: false, waiting: '已申请作废，等待另一位业委会成员确认' })
  })

  test.each([
    ['rejected', '已驳回'],
    ['voided', '已作废'],
  ])('%s reads %s and cannot be voided', (status, label) => {
    expect(readingView(reading({ status }))).toMatchObject({ statusLabel: label, canVoid: false })
  })

  test('a cancelled bill reads 已作废', () => {
    expect(billStatusLabel('cancelled')).toBe('已作废')
  })
})

test('a roster change lists each flat old → new, from which month, and that issued bills stay', () => {
  const flat = (i, extra) =>
    Object.assign(
      { id: i, label: `1-1-${100 + i}`, old_area_m2: '72.36', new_area_m2: '72.36', old_occupancy: 'occupied', new_occupancy: 'occupied', new_tenure: null },
      extra
    )
  const households = [flat(1, { new_area_m2: '80.00' }), flat(2, { new_occupancy: 'vacant' })]
  for (let i = 3; i <= 12; i += 1) households.push(flat(i, { new_area_m2: '60.00' }))
  const view = changeView({
    id: 6,
    kind: 'roster_change',
    summary: '房屋名册：…',
    details: { import_id: 2, effective_label: '2027年1月', households },
    effective_period: '2027-01',
  })
  expect(view.kindLabel).toBe('房屋面积/状态调整')
  expect(view.lines.slice(0, 3)).toEqual([
    '房屋名册导入后 12 户的面积或空置状态有变：',
    '1-1-101：面积 72.36 → 80.00 m²',
    '1-1-102：有人住 → 空置',
  ])
  expect(view.lines).toHaveLength(12)
  expect(view.lines[11]).toBe('还有 2 户，见导入记录')
  expect(view.effective).toBe('自2027年1月账单起')
  expect(view.question).toBe('确认后这些房屋的面积/空置状态自2027年1月账单起按新的计费，已出的账单不变。')
})
