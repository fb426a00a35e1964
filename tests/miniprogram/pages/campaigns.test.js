/**
 * @jest-environment jsdom
 *
 * 排查 (volunteers; the committee starts one): the sweeps with their progress,
 * open first as the server sends them; the new-sweep form filled from a
 * template, its checklist edited, the scope picked by building or unit and the
 * due day; asked before the liaisons are told; errors said where they belong.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, RESIDENT, SUPERVISOR, COMPOUND } = require('../helpers/fixtures')

const CAMPAIGNS = loadPage('campaigns')
const NOW = Date.parse('2026-12-05T02:00:00Z') // 2026-12-05 10:00 in Shanghai
const LIST = 'GET /api/v1/compounds/yangguang/campaigns'
const CREATE = 'POST /api/v1/compounds/yangguang/campaigns'

const TEMPLATES = {
  items: [
    { type: 'dispute', label: '矛盾纠纷全覆盖排查', checklist: ['邻里矛盾', '噪音扰民'] },
    { type: 'safety', label: '安全隐患拉网式排查', checklist: ['楼道杂物', '电线私拉乱接', '燃气异味'] },
  ],
}

const campaign = (overrides = {}) =>
  Object.assign(
    {
      id: 4,
      type: 'safety',
      title: '冬季安全隐患排查',
      checklist: ['楼道杂物'],
      scope: 'compound',
      due_on: '2026-12-20',
      status: 'open',
      progress: { visited: 3, total: 12 },
    },
    overrides
  )

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/campaign-templates', { status: 200, body: TEMPLATES })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
})

afterEach(() => jest.restoreAllMocks())

async function open(user = COMMITTEE, items = [campaign()]) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(LIST, { status: 200, body: { items } })
  const page = renderPage(CAMPAIGNS)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

const value = (v) => ({ detail: { value: v } })
const on = (dataset, v) => ({ currentTarget: { dataset }, detail: { value: v } })

test('each sweep shows its name, type, progress and due day; an overdue one says so; a tap opens it', async () => {
  const late = campaign({ id: 5, title: '独居老人排查', type: 'vulnerable', due_on: '2026-12-01', progress: { visited: 1, total: 4 } })
  const done = campaign({ id: 6, title: '纠纷排查', type: 'dispute', status: 'closed', due_on: '2026-11-01', progress: { visited: 8, total: 8 } })
  const page = await open(COMMITTEE, [campaign(), late, done])
  expect(texts(page, '.campaign-title')).toEqual(['冬季安全隐患排查', '独居老人排查', '纠纷排查'])
  expect(texts(page, '.campaign-status')).toEqual(['进行中', '进行中', '已结束'])
  expect(texts(page, '.campaign-progress')).toEqual(['已走访 3 户，共 12 户', '已走访 1 户，共 4 户', '已走访 8 户，共 8 户'])
  expect(texts(page, '.campaign-due')).toEqual(['12月20日前完成', '12月1日前完成，已过期', '11月1日前完成'])
  expect(attr(page.querySelector('.campaign'), 'aria-label')).toBe('打开：冬季安全隐患排查，进行中，已走访 3 户，共 12 户')
  page.querySelectorAll('.campaign')[1].dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/campaign/index?id=5' })
})

test('a liaison sees the sweeps of the units but cannot start one', async () => {
  const page = await open(LIAISON)
  expect(texts(page, '.campaign-title')).toEqual(['冬季安全隐患排查'])
  expect(page.querySelector('.start')).toBeUndefined()
})

test('no sweep yet: the committee is told how to start one', async () => {
  const page = await open(COMMITTEE, [])
  expect(texts(page, '.start')).toEqual(['发起排查'])
  expect(page.querySelector('.nothing')).toBeDefined()
})

test.each([
  ['a resident', RESIDENT],
  ['the supervisor', SUPERVISOR],
])('%s is told who may see sweeps, and nothing is asked of the server', async (_, user) => {
  const page = await open(user)
  expect(texts(page, '.denied')).toEqual(['只有单元联络人、楼栋长和业委会成员可以查看排查。'])
  expect(requestsMade(wx)).not.toContain(LIST)
})

test('a template fills the checklist; lines are changed, removed and added; asked, then sent as the API wants', async () => {
  server.on(CREATE, { status: 201, body: campaign({ id: 9 }) })
  const page = await open()
  page.querySelector('.start').dispatchEvent('tap')
  await sleep(0)
  await sleep(0)
  expect(page.instance.data.creating).toBe(true)
  expect(page.instance.data.dueOn).toBe('2026-12-19')
  page.instance.onTypeChange(value(1))
  await sleep(0)
  expect(page.instance.data.title).toBe('安全隐患拉网式排查')
  expect(page.querySelectorAll('.item-input').map((n) => attr(n, 'value'))).toEqual(['楼道杂物', '电线私拉乱接', '燃气异味'])
  const [first, second] = page.instance.data.checklist
  page.instance.onItemInput(on({ key: first.key }, '楼道堆放杂物'))
  page.instance.removeItem(on({ key: second.key }))
  page.instance.addItem()
  const added = page.instance.data.checklist[2]
  page.instance.onItemInput(on({ key: added.key }, '灭火器'))
  page.instance.onTitle(value('冬季安全排查'))
  page.instance.onScopeMode(on({ mode: 'parts' }))
  page.instance.toggleUnit(on({ key: '1-2' }))
  page.instance.onDue(value('2026-12-31'))
  await sleep(0)
  expect(texts(page, '.unit-box')).toEqual(['1号楼1单元', '✓ 1号楼2单元', '1号楼3单元'])
  await page.instance.submit()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '发起排查',
    content: '将通知1号楼2单元的联络人和楼栋长，在12月31日前逐户上门，按清单查一遍。发起后清单不能再改。',
    confirmText: '发起',
    cancelText: '再看看',
  })
  expect(sentBody(wx, CREATE)).toEqual({
    type: 'safety',
    title: '冬季安全排查',
    checklist: ['楼道堆放杂物', '燃气异味', '灭火器'],
    scope: { buildings: [], units: ['1-2'] },
    due_on: '2026-12-31',
  })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已发起', icon: 'success' })
  expect(page.instance.data.creating).toBe(false)
  expect(requestsMade(wx).filter((r) => r === LIST)).toHaveLength(2)
})

test('the whole compound is the default scope; a building picked covers its units', async () => {
  server.on(CREATE, { status: 201, body: campaign() })
  const page = await open()
  await page.instance.openCreate()
  page.instance.onTypeChange(value(0))
  await page.instance.submit()
  expect(sentBody(wx, CREATE)).toMatchObject({ type: 'dispute', scope: 'compound', checklist: ['邻里矛盾', '噪音扰民'] })
  expect(wx.showModal.mock.calls[0][0].content).toMatch(/^将通知全小区的联络人和楼栋长/)

  await page.instance.openCreate()
  page.instance.onTypeChange(value(0))
  page.instance.onScopeMode(on({ mode: 'parts' }))
  page.instance.toggleBuilding(on({ number: 1 }))
  page.instance.toggleUnit(on({ key: '1-2' }))
  await page.instance.submit()
  expect(sentBody(wx, CREATE).scope).toEqual({ buildings: [1], units: [] })
  expect(wx.showModal.mock.calls[1][0].content).toMatch(/^将通知1号楼的联络人/)
})

test('what is missing is said under its field and nothing is sent', async () => {
  const page = await open()
  await page.instance.openCreate()
  page.instance.onScopeMode(on({ mode: 'parts' }))
  await page.instance.submit()
  await sleep(0)
  expect(page.instance.data.errors).toEqual({
    type: '请选择排查类型',
    title: '请填写排查名称',
    checklist: '请至少写一项要查的内容',
    scope: '请选择要排查的楼栋或单元',
  })
  page.instance.onTypeChange(value(0))
  page.instance.addItem()
  page.instance.onItemInput(on({ key: page.instance.data.checklist[2].key }, '邻里矛盾'))
  page.instance.toggleUnit(on({ key: '1-1' }))
  page.instance.onDue(value('2026-12-04'))
  await page.instance.submit()
  expect(page.instance.data.errors).toEqual({ checklist: '有两项写得一样，请删去一项', due_on: '完成日期不能早于今天' })
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(requestsMade(wx)).not.toContain(CREATE)
})

// The server takes a checklist line of 30 characters at most (CampaignIn:
// Text(30)), and a result's item likewise: the form says so before sending.
test('a checklist line over 30 characters is said under the list; the box stops at 30', async () => {
  const page = await open()
  await page.instance.openCreate()
  page.instance.onTypeChange(value(0))
  await sleep(0)
  expect(page.querySelectorAll('.item-input').map((el) => attr(el, 'maxlength'))).toEqual([30, 30])
  page.instance.onItemInput(on({ key: page.instance.data.checklist[0].key }, '楼'.repeat(31)))
  await page.instance.submit()
  expect(page.instance.data.errors).toEqual({ checklist: '每一项最多 30 个字' })
  expect(requestsMade(wx)).not.toContain(CREATE)
})

test('再看看 sends nothing; 不发起了 closes the form', async () => {
  const page = await open()
  await page.instance.openCreate()
  page.instance.onTypeChange(value(0))
  cancelModal(wx)
  await page.instance.submit()
  expect(requestsMade(wx)).not.toContain(CREATE)
  expect(page.instance.data.creating).toBe(true)
  page.instance.cancelCreate()
  expect(page.instance.data.creating).toBe(false)
})

test("the server's refusal: a field's message under it, anything else in a dialog", async () => {
  server.on(
    CREATE,
    { status: 400, body: { code: 'validation_error', message: '提交的内容有误', details: { fields: { due_on: ['日期不对'] } } } },
    { status: 409, body: { code: 'compound_archived', message: '小区已归档，不能再修改' } }
  )
  const page = await open()
  await page.instance.openCreate()
  page.instance.onTypeChange(value(0))
  await page.instance.submit()
  expect(page.instance.data.errors).toEqual({ due_on: '日期不对' })
  expect(page.instance.data.sending).toBe(false)
  await page.instance.submit()
  expect(wx.showModal.mock.calls[2][0]).toMatchObject({ title: '未能发起', content: '小区已归档，不能再修改' })
  expect(page.instance.data.creating).toBe(true)
})
