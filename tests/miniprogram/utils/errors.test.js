/**
 * @jest-environment node
 *
 * utils/errors.js fieldErrors: the server's validation details
 * ({fields: {name: [messages]}}) as one line per field. A list of objects
 * (a checklist line, a cadence row) comes nested by index, as marshmallow
 * reports it: its messages are said, never "[object Object]".
 */
const { fieldErrors } = require('../../../miniprogram/utils/errors')

const refusal = (fields) => ({ code: 'validation_error', details: { location: 'json', fields } })

test('a field with its messages', () => {
  expect(fieldErrors(refusal({ title: ['最多 60 个字'] }))).toEqual({ title: '最多 60 个字' })
})

test('a nested field says its messages, not [object Object]', () => {
  const err = refusal({
    checklist: { 2: ['最多 30 个字'] },
    items: { 0: { every_days: ['请填 0 到 365 之间的数'] }, 1: { tag: ['不是可选的值'] } },
  })
  expect(fieldErrors(err)).toEqual({ checklist: '最多 30 个字', items: '请填 0 到 365 之间的数；不是可选的值' })
})

test('nothing to say without details', () => {
  expect(fieldErrors({ code: 'bad_phone', message: '电话号码不对' })).toEqual({})
  expect(fieldErrors(null)).toEqual({})
})
