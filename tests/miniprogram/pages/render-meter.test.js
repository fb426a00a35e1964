/**
 * @jest-environment jsdom
 *
 * 电费录入 rendered: the form and the unit's readings, a unit without readings
 * yet, someone who may not enter electricity, the controls a screen reader
 * names, and 申请作废 asking for its reason in the shared dialog. (A failed
 * load and 重试: render-retry.test.js.)
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, RESIDENT, COMPOUND } = require('../helpers/fixtures')

const METER = loadPage('meter')
const READINGS = (unit) => `GET /api/v1/meter-readings?unit_id=${unit}`

const reading = {
  id: 1,
  unit_id: 4,
  unit_label: '1-1',
  period: '2026-11',
  amount_fen: 450,
  status: 'confirmed',
  flag: null,
  entered_by: '李师傅',
  created_at: '2026-11-30T09:00:00+08:00',
  open_change: null,
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open(user, readings) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  for (const unit of [4, 5, 7]) server.on(READINGS(unit), { status: 200, body: { items: readings } })
  const page = renderPage(METER)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('the committee sees the form and the first unit\'s readings', async () => {
  const page = await open(COMMITTEE, [reading])
  expect(texts(page, '.unit-picker')).toEqual(['1-1单元 ▾'])
  expect(texts(page, '.list-title')).toEqual(['1-1单元近期读数'])
  expect(texts(page, '.reading-amount')).toEqual(['¥4.50'])
  expect(texts(page, '.void')).toEqual(['申请作废'])
})

test('a unit without readings says so and how they come', async () => {
  const page = await open(LIAISON, [])
  expect(textsWithin(page, '.no-readings', '.empty-state-text')).toEqual(['这个单元还没有录入过电费'])
  expect(texts(page, '.submit')).toEqual(['提交，等待确认'])
})

test('a resident is told this page is for liaisons and the committee', async () => {
  const page = await open(RESIDENT, [])
  expect(texts(page, '.denied')).toEqual(['只有单元联络人和业委会成员可以录入电费。'])
  expect(page.querySelector('.submit')).toBeUndefined()
  expect(page.querySelector('.error')).toBeUndefined()
})

test('pickers, the amount and 申请作废 are named for a screen reader', async () => {
  const page = await open(COMMITTEE, [reading])
  expect(attr(page.querySelector('.unit-picker'), 'aria-role')).toBe('button')
  expect(attr(page.querySelector('.unit-picker'), 'aria-label')).toBe('单元：1-1单元，点一下换一个单元')
  expect(attr(page.querySelector('.month-picker'), 'aria-label')).toMatch(/^月份：\d{4}年\d{1,2}月，点一下换一个月$/)
  expect(attr(page.querySelector('.amount-input'), 'aria-label')).toBe('本月电费，单位元')
  expect(attr(page.querySelector('.void'), 'aria-label')).toBe('申请作废 2026年11月 的电费 4.50 元')
})

test('申请作废 asks why in the dialog and sends it', async () => {
  server.on('POST /api/v1/meter-readings/1/void', { status: 202, body: { id: 30, kind: 'meter_void', status: 'pending' } })
  const page = await open(COMMITTEE, [reading])
  page.querySelector('.void').dispatchEvent('tap')
  await sleep(0)
  expect(textsWithin(page, '.void-dialog', '.dialog-title')).toEqual(['申请作废'])
  within(page, '.void-dialog', '.dialog-confirm').dispatchEvent('tap')
  await sleep(0)
  expect(textsWithin(page, '.void-dialog', '.dialog-error')).toEqual(['请填写作废理由'])
  within(page, '.void-dialog', '.dialog-input').dispatchEvent('input', { detail: { value: '表读错了' } })
  await sleep(0)
  within(page, '.void-dialog', '.dialog-confirm').dispatchEvent('tap')
  await waitFor(() => requestsMade(wx).filter((r) => r === READINGS(4)).length === 2)
  expect(sentBody(wx, 'POST /api/v1/meter-readings/1/void')).toEqual({ reason: '表读错了' })
  expect(within(page, '.void-dialog', '.dialog')).toBeUndefined()
})
