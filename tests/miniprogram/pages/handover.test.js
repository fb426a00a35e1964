/**
 * @jest-environment node
 *
 * 工作交接: the units one may hand over, the preview, picking who steps down and
 * who takes over, the confirmation, the result and what is refused.
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

const role = (name, scope, scopeId, label) => ({
  role: name,
  scope,
  scope_id: scopeId,
  compound: 'yangguang',
  compound_name: '阳光小区',
  label,
})
const COMMITTEE = { id: 3, roles: [role('committee', 'compound', 1, '阳光小区')], households: [] }
const LIAISON = { id: 2, roles: [role('liaison', 'unit', 5, '1-2')], households: [] }
const RESIDENT = { id: 1, roles: [role('resident', 'household', 11, '1-2-301')], households: [] }
const COMPOUND = {
  code: 'yangguang',
  name: '阳光小区',
  buildings: [{ number: 1, units: [{ id: 4, number: 1 }, { id: 5, number: 2 }] }],
}
const PREVIEW_URL = 'GET /api/v1/compounds/yangguang/handovers/preview?unit=1-2'
const PREVIEW = {
  unit: '1-2',
  unit_label: '1号楼2单元',
  liaisons: [{ user_id: 2, name: '李师傅', issues: 2, return_visits: 1 }],
  binding_requests: 1,
  unpaid_households: 3,
  candidates: [
    { user_id: 2, name: '李师傅', roles: [{ role: 'liaison', label: '1-2' }] },
    { user_id: 7, name: '王秀兰', roles: [{ role: 'resident', label: '1-2-301' }] },
  ],
}
const RECORD = {
  id: 9,
  unit: '1-2',
  unit_label: '1号楼2单元',
  from_user_id: 2,
  from_name: '李师傅',
  to_user_id: 7,
  to_name: '王秀兰',
  issues: [11, 12],
  return_visits: [4],
  binding_requests: 1,
  unpaid_households: 3,
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on(PREVIEW_URL, { status: 200, body: PREVIEW })
})

async function opened(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = createPage('handover')
  await page.onLoad()
  return page
}

test('the committee picks any unit of the compound', async () => {
  const page = await opened(COMMITTEE)
  expect(page.data.units.map((u) => u.label)).toEqual(['1号楼1单元', '1号楼2单元'])
  expect(page.data.committee).toBe(true)
})

test('a liaison picks only their own units', async () => {
  const page = await opened(LIAISON)
  expect(page.data.units.map((u) => u.unit)).toEqual(['1-2'])
  expect(requestsMade(wx)).not.toContain('GET /api/v1/compounds/yangguang')
})

test('someone else is told plainly, with nothing to pick', async () => {
  const page = await opened(RESIDENT)
  expect(page.data.units).toEqual([])
  expect(page.data.denied).toBe('只有业委会或单元联络人本人可以办理交接。')
})

test('a committee whose compound has no units yet is told to load the roster first', async () => {
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: Object.assign({}, COMPOUND, { buildings: [] }) })
  const page = await opened(COMMITTEE)
  expect(page.data.denied).toBe('小区还没有楼栋和单元。请先在「小区概况」里导入房屋名册，再来办理交接。')
})

test('on the committee of one compound and a liaison in another: both, each named; my own unit is mine to hand over', async () => {
  const elsewhere = Object.assign(role('liaison', 'unit', 8, '2-1'), { compound: 'hongqi', compound_name: '红旗小区' })
  const both = { id: 3, roles: [role('committee', 'compound', 1, '阳光小区'), elsewhere], households: [] }
  server.on('GET /api/v1/compounds/hongqi/handovers/preview?unit=2-1', {
    status: 200,
    body: Object.assign({}, PREVIEW, { unit: '2-1', unit_label: '2号楼1单元', liaisons: [{ user_id: 3, name: '张主任', issues: 0, return_visits: 0 }, { user_id: 9, name: '孙阿姨', issues: 1, return_visits: 0 }] }),
  })
  const page = await opened(both)
  expect(page.data.units.map((u) => u.label)).toEqual(['阳光小区 1号楼1单元', '阳光小区 1号楼2单元', '红旗小区 2号楼1单元'])
  await page.chooseUnit(tap({ index: 2 }))
  expect(page.data.fromId).toBe(3) // not the committee there: I step down myself
})

test('a preview that comes back after another unit was tapped is dropped', async () => {
  const PREVIEW_1 = 'GET /api/v1/compounds/yangguang/handovers/preview?unit=1-1'
  server.on(PREVIEW_1, { status: 200, body: Object.assign({}, PREVIEW, { unit: '1-1', unit_label: '1号楼1单元', liaisons: [{ user_id: 5, name: '周阿姨', issues: 0, return_visits: 0 }] }) })
  const page = await opened(COMMITTEE)
  // Hold the 1-1 answer back until 1-2 has been tapped and answered.
  const answer = wx.request.getMockImplementation()
  let release
  wx.request.mockImplementation((options) => (options.url.includes('unit=1-1') ? (release = () => answer(options)) : answer(options)))
  const first = page.chooseUnit(tap({ index: 0 }))
  await page.chooseUnit(tap({ index: 1 }))
  release()
  await first
  expect(page.data.chosen.unit).toBe('1-2')
  expect(page.data.preview.unitLabel).toBe('1号楼2单元')
  expect(page.data.fromId).toBe(2)
})

test('the preview says what would move; the one stepping down is not a candidate', async () => {
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  expect(page.data.preview.liaisons).toEqual([{ userId: 2, name: '李师傅', line: '在办事项 2 件，待上门回访 1 次' }])
  expect(page.data.preview.unitLine).toContain('待审核绑定 1 条，未缴费 3 户')
  expect(page.data.fromId).toBe(2) // the only liaison
  expect(page.data.candidates).toEqual([{ userId: 7, name: '王秀兰', roles: '住户 1-2-301' }])
})

test('with several liaisons the committee picks who steps down', async () => {
  const two = Object.assign({}, PREVIEW, {
    liaisons: PREVIEW.liaisons.concat([{ user_id: 7, name: '王秀兰', issues: 0, return_visits: 0 }]),
  })
  server.on(PREVIEW_URL, { status: 200, body: two })
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  expect(page.data.fromId).toBe(null)
  page.chooseFrom(tap({ id: 7 }))
  expect(page.data.candidates.map((c) => c.userId)).toEqual([2])
})

test('a liaison hands over themself', async () => {
  const page = await opened(LIAISON)
  await page.chooseUnit(tap({ index: 0 }))
  expect(page.data.fromId).toBe(2)
})

test('confirming hands the unit over and shows what moved', async () => {
  server.on('POST /api/v1/compounds/yangguang/handovers', { status: 201, body: RECORD })
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  page.chooseTo(tap({ id: 7 }))
  await page.submit()
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({ content: '交接后原联络人将不再负责1号楼2单元，确定？' })
  )
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/handovers')).toEqual({
    unit: '1-2',
    to_user_id: 7,
    from_user_id: 2,
  })
  expect(page.data.result.headline).toBe('1号楼2单元的联络人已由李师傅交给王秀兰')
  expect(page.data.result.lines[0]).toBe('在办事项 2 件已转给王秀兰')
  expect(page.data.result.lines[1]).toBe('待上门回访 1 次已转给王秀兰')
})

test('cancelling the confirmation sends nothing', async () => {
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  page.chooseTo(tap({ id: 7 }))
  cancelModal(wx)
  await page.submit()
  expect(requestsMade(wx)).not.toContain('POST /api/v1/compounds/yangguang/handovers')
  expect(page.data.result).toBe(null)
})

test('nothing is sent before a successor is picked', async () => {
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  await page.submit()
  expect(wx.showModal).not.toHaveBeenCalled()
})

test('a refusal is shown in the server\'s words, and the choice stays', async () => {
  server.on('POST /api/v1/compounds/yangguang/handovers', {
    status: 409,
    body: { code: 'no_liaison', message: '本单元目前没有这位联络人，无法交接，请刷新后再看' },
  })
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  page.chooseTo(tap({ id: 7 }))
  await page.submit()
  expect(page.data.submitError).toBe('本单元目前没有这位联络人，无法交接，请刷新后再看')
  expect(page.data.toId).toBe(7)
  expect(page.data.busy).toBe(false)
})

test('a preview that fails says why; 重试 loads it', async () => {
  server.on(PREVIEW_URL, { fail: 'timeout' }, { status: 200, body: PREVIEW })
  const page = await opened(COMMITTEE)
  await page.chooseUnit(tap({ index: 1 }))
  expect(page.data.previewError).toBe('网络不给力，请稍后再试')
  await page.loadPreview()
  expect(page.data.previewError).toBe('')
  expect(page.data.preview.unitLabel).toBe('1号楼2单元')
})
