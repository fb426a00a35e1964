/**
 * @jest-environment jsdom
 *
 * 排查记录 (pages/campaign-result): each checklist item answered ✓ 正常 or ✗ 有问题
 * (with a note), a note, photos from the camera, and 需要处理 — asked first, as
 * it opens an issue pushed to the unit's liaison; recorded again, the household
 * keeps its issue (no second one, no question); refusals shown on the form.
 */
const { installWx, requestsMade, sentBody, signedIn, pickPhotos, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const RESULT_PAGE = loadPage('campaign-result')

const CAMPAIGN = {
  id: 5,
  type: 'safety',
  title: '冬季消防安全排查',
  checklist: ['楼道杂物', '电线私拉乱接', '燃气异味'],
  scope: 'compound',
  due_on: todayInShanghai(),
  status: 'open',
  progress: { visited: 1, total: 3 },
  units: [{ unit_id: 7, unit: '1-3', visited: 1, total: 3, overdue: false, escalated: false }],
  may: { record: true, close: false, export: false },
}

const RECORDED = {
  items: [{ item: '楼道杂物', ok: false, note: '纸箱' }, { item: '电线私拉乱接', ok: true }, { item: '燃气异味', ok: true }],
  needs_action: true,
  issue_id: 77,
  note: '已提醒',
}

function doors(result = null) {
  return { items: [{ household_id: 33, label: '1-3-201', result }] }
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/campaigns/5', { status: 200, body: CAMPAIGN })
  server.on('GET /api/v1/campaigns/5/households?unit_id=7', { status: 200, body: doors() })
  server.on('POST /api/v1/campaigns/5/results', { status: 201, body: { result: { id: 1 }, issue_id: null } })
})

const OPTIONS = { id: '5', unit_id: '7', household_id: '33', label: encodeURIComponent('1-3-201') }

async function open() {
  const page = createPage('campaign-result')
  await page.onLoad(OPTIONS)
  return page
}

const mark = (page, index, ok) => page.markItem(tap({ index, ok }))

test('every item must be answered before anything is sent', async () => {
  const page = await open()
  expect(page.data.checks.map((c) => [c.item, c.ok])).toEqual([
    ['楼道杂物', null],
    ['电线私拉乱接', null],
    ['燃气异味', null],
  ])
  mark(page, 0, 'yes')
  await page.submit()
  expect(page.data.errors).toEqual({ items: '还有 2 项没有选“正常”或“有问题”' })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/campaigns/5/results')
})

test('all fine: the answers, the note and a camera photo are sent, then back to the list', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 301 } })
  const page = await open()
  ;[0, 1, 2].forEach((i) => mark(page, i, 'yes'))
  page.onNote({ detail: { value: '  楼道干净  ' } })
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
  await page.takePhoto()
  expect(wx.chooseMedia.mock.calls[0][0]).toMatchObject({ sourceType: ['camera'] })
  await page.submit()
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(sentBody(wx, 'POST /api/v1/campaigns/5/results')).toEqual({
    household_id: 33,
    items: [
      { item: '楼道杂物', ok: true },
      { item: '电线私拉乱接', ok: true },
      { item: '燃气异味', ok: true },
    ],
    needs_action: false,
    photos: [301],
    note: '楼道干净',
  })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已记录', icon: 'success' })
  expect(wx.navigateBack).toHaveBeenCalled()
})

test('需要处理 is asked first; the issue takes the first problem as its title and the sweep\'s category', async () => {
  server.on('POST /api/v1/campaigns/5/results', { status: 201, body: { result: { id: 2 }, issue_id: 88 } })
  const page = await open()
  mark(page, 0, 'yes')
  mark(page, 1, 'no')
  page.onItemNote({ currentTarget: { dataset: { index: 1 } }, detail: { value: '插线板接到楼道' } })
  mark(page, 2, 'yes')
  page.onNeedsAction({ detail: { value: true } })
  expect(page.data.categories[page.data.categoryIndex].value).toBe('hazard')
  cancelModal(wx)
  await page.submit()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '需要处理',
    content: '将为 1-3-201 生成一条报事「电线私拉乱接」，推送给本单元联络人处理。确定？',
    confirmText: '转报事',
  })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/campaigns/5/results')
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/campaigns/5/results')).toEqual({
    household_id: 33,
    items: [
      { item: '楼道杂物', ok: true },
      { item: '电线私拉乱接', ok: false, note: '插线板接到楼道' },
      { item: '燃气异味', ok: true },
    ],
    needs_action: true,
    photos: [],
    action: { title: '电线私拉乱接', category: 'hazard' },
  })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已转报事 #88', icon: 'none' })
})

test('a household recorded before comes back as it was; sending again opens no second issue', async () => {
  server.on('GET /api/v1/campaigns/5/households?unit_id=7', { status: 200, body: doors(RECORDED) })
  const page = await open()
  expect(page.data.checks.map((c) => [c.ok, c.note])).toEqual([
    [false, '纸箱'],
    [true, ''],
    [true, ''],
  ])
  expect(page.data).toMatchObject({ issueId: 77, needsAction: true, note: '已提醒' })
  await page.submit()
  expect(wx.showModal).not.toHaveBeenCalled()
  const body = sentBody(wx, 'POST /api/v1/campaigns/5/results')
  expect(body.action).toBeUndefined()
  expect(body.needs_action).toBe(true)
})

test('a refusal is shown on the form and the button comes back', async () => {
  server.on('POST /api/v1/campaigns/5/results', { status: 403, body: { code: 'not_your_unit', message: '只能记录您负责的单元' } })
  const page = await open()
  ;[0, 1, 2].forEach((i) => mark(page, i, 'yes'))
  await page.submit()
  expect(page.data.formError).toBe('只能记录您负责的单元')
  expect(page.data.sending).toBe(false)
  expect(wx.navigateBack).not.toHaveBeenCalled()
})

test('a closed sweep can only be looked at', async () => {
  server.on('GET /api/v1/campaigns/5', { status: 200, body: Object.assign({}, CAMPAIGN, { status: 'closed' }) })
  const page = await open()
  expect(page.data.canRecord).toBe(false)
  await page.submit()
  expect(requestsMade(wx)).not.toContain('POST /api/v1/campaigns/5/results')
})

test('rendered: big ✓ 正常 / ✗ 有问题 for each item, a note field under a problem', async () => {
  const page = renderPage(RESULT_PAGE)
  await page.instance.onLoad(OPTIONS)
  await sleep(0)
  expect(texts(page, '.page-title')).toEqual(['1-3-201'])
  expect(texts(page, '.check-item')).toEqual(['1. 楼道杂物', '2. 电线私拉乱接', '3. 燃气异味'])
  expect(texts(page, '.toggle')).toEqual(['✓ 正常', '✗ 有问题', '✓ 正常', '✗ 有问题', '✓ 正常', '✗ 有问题'])
  page.querySelectorAll('.toggle')[1].dispatchEvent('tap')
  await sleep(0)
  expect(attr(page.querySelectorAll('.toggle')[1], 'aria-checked')).toBe(true)
  expect(attr(page.querySelector('.item-note'), 'aria-label')).toBe('楼道杂物的问题说明')
  expect(page.querySelector('.submit')).toBeDefined()
})
