/**
 * @jest-environment node
 *
 * api/people.js: one function per endpoint of appointing people.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')

let wx, server, api

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => {
    api = require(path.join(ROOT, 'api/people.js'))
  })
})

const BASE = '/api/v1/compounds/yangguang'

test('an invite sends only the scope its role needs', async () => {
  server.on(`POST ${BASE}/role-invites`, { status: 201, body: { id: 1, code: 'ABCD-EFGH' } })
  await api.createRoleInvite('yangguang', { role: 'liaison', unit: '1-2', name: '王秀兰' })
  expect(sentBody(wx, `POST ${BASE}/role-invites`)).toEqual({ role: 'liaison', unit: '1-2', name: '王秀兰' })
  await api.createRoleInvite('yangguang', { role: 'building_lead', building: 1 })
  expect(sentBody(wx, `POST ${BASE}/role-invites`)).toEqual({ role: 'building_lead', building: 1 })
  await api.createRoleInvite('yangguang', { role: 'committee', termEnd: '2031-06-30', name: '' })
  expect(sentBody(wx, `POST ${BASE}/role-invites`)).toEqual({ role: 'committee', term_end: '2031-06-30' })
})

test('each endpoint has its path and method', async () => {
  server.on(`GET ${BASE}/role-invites`, { status: 200, body: { items: [] } })
  server.on(`POST ${BASE}/role-invites/3/revoke`, { status: 200, body: {} })
  server.on('POST /api/v1/role-invites/redeem', { status: 200, body: {} })
  server.on(`GET ${BASE}/people?role=liaison`, { status: 200, body: { items: [] } })
  server.on(`GET ${BASE}/people?cursor=50`, { status: 200, body: { items: [] } })
  server.on(`POST ${BASE}/memberships/9/revoke`, { status: 200, body: {} })
  server.on(`PATCH ${BASE}/memberships/9/term`, { status: 200, body: {} })
  server.on(`GET ${BASE}/audit-log?cursor=abc&limit=20`, { status: 200, body: { items: [] } })
  await api.listRoleInvites('yangguang')
  await api.revokeRoleInvite('yangguang', 3)
  await api.redeemRoleInvite('ABCD-EFGH')
  await api.listPeople('yangguang', { role: 'liaison' })
  await api.listPeople('yangguang', { cursor: '50' })
  await api.revokeMembership('yangguang', 9, '已搬走')
  await api.setTerm('yangguang', 9, { termStart: '2026-01-01', termEnd: '2030-12-31' })
  await api.auditLog('yangguang', { cursor: 'abc', limit: 20 })
  expect(requestsMade(wx)).toEqual([
    `GET ${BASE}/role-invites`,
    `POST ${BASE}/role-invites/3/revoke`,
    'POST /api/v1/role-invites/redeem',
    `GET ${BASE}/people?role=liaison`,
    `GET ${BASE}/people?cursor=50`,
    `POST ${BASE}/memberships/9/revoke`,
    `PATCH ${BASE}/memberships/9/term`,
    `GET ${BASE}/audit-log?cursor=abc&limit=20`,
  ])
  expect(sentBody(wx, 'POST /api/v1/role-invites/redeem')).toEqual({ code: 'ABCD-EFGH' })
  expect(sentBody(wx, `POST ${BASE}/memberships/9/revoke`)).toEqual({ reason: '已搬走' })
  expect(sentBody(wx, `PATCH ${BASE}/memberships/9/term`)).toEqual({ term_start: '2026-01-01', term_end: '2030-12-31' })
})

test('a refusal comes back as the server said it', async () => {
  server.on('POST /api/v1/role-invites/redeem', {
    status: 409,
    body: { code: 'invite_used', message: '这份任命邀请已被领取，如有疑问请联系业委会' },
  })
  await expect(api.redeemRoleInvite('ABCD-EFGH')).rejects.toMatchObject({
    status: 409,
    code: 'invite_used',
    message: '这份任命邀请已被领取，如有疑问请联系业委会',
  })
})
