/**
 * @jest-environment jsdom
 *
 * 代居民报事 (pages/report-for) rendered: the shared report form with a name,
 * a unit and a room instead of a place; someone who handles no unit is told
 * only volunteers can.
 */
const { installWx, signedIn, sentBody } = require('../helpers/wx')
const { loadPage, renderPage, texts, textsWithin, attr, sleep } = require('../helpers/render')
const { RESIDENT, LIAISON, COMPOUND, CONFIG, issueDetail } = require('../helpers/fixtures')

const REPORT_FOR = loadPage('report-for')

const ROOMS = {
  items: [
    { id: 31, label: '1-3-101', occupancy: 'owner_occupied' },
    { id: 32, label: '1-3-102', occupancy: 'vacant' },
  ],
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  server.on('POST /api/v1/issues', { status: 201, body: issueDetail({ id: 9 }) })
})

async function open() {
  const page = renderPage(REPORT_FOR)
  const loading = page.instance.onLoad({})
  page.instance.onShow()
  await loading
  await sleep(0)
  return page
}

test('a name, the only unit chosen and its rooms, no place picker', async () => {
  const page = await open()
  expect(texts(page, '.label')).toEqual(['居民称呼', '单元', '房间', '类别', '标题', '详细描述', '照片（选填，最多 9 张）'])
  expect(texts(page, '.picker')[0]).toBe('1号楼3单元')
  expect(attr(page.querySelector('.input'), 'aria-label')).toBe('居民称呼')
  expect(page.querySelector('.entry')).toBeFalsy()
})

test('sent: the issue replaces the form, so 返回 goes back to 工作台', async () => {
  const page = await open()
  const p = page.instance
  p.onInput({ currentTarget: { dataset: { field: 'onBehalfName', error: 'on_behalf_name' } }, detail: { value: '王奶奶' } })
  p.onRoomChange({ detail: { value: '0' } })
  p.onCategoryChange({ detail: { value: '0' } })
  p.onInput({ currentTarget: { dataset: { field: 'title' } }, detail: { value: '楼道灯不亮' } })
  p.onInput({ currentTarget: { dataset: { field: 'description' } }, detail: { value: '三楼的灯坏了' } })
  await p.submit()
  expect(sentBody(wx, 'POST /api/v1/issues')).toMatchObject({ household_id: 31, on_behalf_name: '王奶奶' })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=9' })
})

test('someone who handles no unit is told only volunteers can', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['只有志愿者才能代居民报事'])
  expect(texts(page, '.label')).toEqual([])
})
