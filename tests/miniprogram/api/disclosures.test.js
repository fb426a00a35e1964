/**
 * @jest-environment node
 *
 * api/disclosures.js: the paths, methods and bodies of the monthly disclosure.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const api = require('../../../miniprogram/api/disclosures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('a month is frozen with just the month; a correction names the version and what changed', async () => {
  server.on('POST /api/v1/compounds/yangguang/disclosures', { status: 201, body: { id: 3, status: 'draft' } })
  expect(await api.createDisclosure('yangguang', { month: '2026-11' })).toEqual({ id: 3, status: 'draft' })
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/disclosures')).toEqual({ month: '2026-11' })
  await api.createDisclosure('yangguang', { month: '2026-11', corrects: 3, changes: '补上票据' })
  expect(wx.request.mock.calls[1][0].data).toEqual({ month: '2026-11', corrects: 3, changes: '补上票据' })
})

test('the list, one disclosure, its check and its paper', async () => {
  server.on('GET /api/v1/compounds/yangguang/disclosures', { status: 200, body: { items: [] } })
  server.on('GET /api/v1/disclosures/3', { status: 200, body: { id: 3 } })
  server.on('GET /api/v1/disclosures/3/verify', { status: 200, body: { verified: true } })
  server.on('GET /api/v1/disclosures/3.pdf', { status: 200, file: 'wxfile://tmp/3.pdf' })
  await api.listDisclosures('yangguang')
  await api.getDisclosure(3)
  expect(await api.verifyDisclosure(3)).toEqual({ verified: true })
  expect(await api.disclosurePdf(3)).toBe('wxfile://tmp/3.pdf')
  expect(requestsMade(wx)).toEqual([
    'GET /api/v1/compounds/yangguang/disclosures',
    'GET /api/v1/disclosures/3',
    'GET /api/v1/disclosures/3/verify',
  ])
  expect(wx.downloadFile.mock.calls[0][0].url).toMatch(/\/api\/v1\/disclosures\/3\.pdf$/)
  expect(wx.downloadFile.mock.calls[0][0].header).toMatchObject({ Authorization: 'Bearer valid-token' })
})

test('sign-off, objection with its reason, publishing', async () => {
  for (const step of ['sign-off', 'object', 'publish']) {
    server.on(`POST /api/v1/disclosures/3/${step}`, { status: 200, body: { id: 3 } })
  }
  await api.signOff(3)
  await api.objectTo(3, '少了一张票据')
  await api.publishDisclosure(3)
  expect(requestsMade(wx)).toEqual([
    'POST /api/v1/disclosures/3/sign-off',
    'POST /api/v1/disclosures/3/object',
    'POST /api/v1/disclosures/3/publish',
  ])
  expect(sentBody(wx, 'POST /api/v1/disclosures/3/object')).toEqual({ reason: '少了一张票据' })
})

test('a refusal rejects with the server\'s words', async () => {
  server.on('POST /api/v1/compounds/yangguang/disclosures', {
    status: 409,
    body: { code: 'disclosure_exists', message: '2026-11 已有公示（第 1 版），如需更正请说明改了什么' },
  })
  await expect(api.createDisclosure('yangguang', { month: '2026-11' })).rejects.toMatchObject({
    status: 409,
    code: 'disclosure_exists',
  })
})
