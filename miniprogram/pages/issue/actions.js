// The issue page's action form (pages/issue/index.js): one of the actions the
// server offers (`actions`) opened, filled in (note, referral, rating, the
// photos of the finished work, the duplicate's number), checked and sent as
// POST /issues/{id}/transitions. 受理 needs no form, only a confirmation.
const { transition } = require('../../api/issues')
const { issueActionLabel } = require('../../utils/labels')
const { validateAction, cleanMultiline } = require('../../utils/validate')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { showError, fieldErrors } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')
const { ISSUE_ACTION_EXPLAIN } = require('../../utils/words')

const EMPTY_FORM = {
  note: '',
  rating: 0,
  referral_body: '',
  referral_contact: '',
  referral_ref: '',
  follow_up_on: '',
  duplicate_of: '',
}

const DONE = {
  accept: '已受理',
  refer: '已转办',
  resolve: '已办结',
  confirm: '感谢您的评价',
  reopen: '已重新打开',
  reject: '已不予受理',
  mark_duplicate: '已标为重复',
}

// Answers that mean the issue changed under me: show the news, then reload.
const STALE_STATUSES = [403, 409]

// A handler who has just acted is offered 新报事提醒我 when few pushes are left.
const HANDLER_ACTIONS = ['accept', 'refer', 'resolve', 'reject', 'mark_duplicate']

const orNull = (text) => (text || '').trim() || null

// What POST /transitions takes for `action` from the form.
function actionBody(action, form, photos) {
  const body = { action, note: cleanMultiline(form.note) || null }
  if (action === 'refer') {
    Object.assign(body, {
      referral_body: form.referral_body.trim(),
      referral_contact: orNull(form.referral_contact),
      referral_ref: orNull(form.referral_ref),
      follow_up_on: form.follow_up_on,
    })
  }
  if (action === 'resolve') body.photos = photos
  if (action === 'confirm') body.rating = form.rating
  if (action === 'mark_duplicate') body.duplicate_of = Number(form.duplicate_of)
  return body
}

// Methods of the issue page. They use its data (activeAction, form,
// formPhotos, errors, busy, today), this.issueId, and its apply(),
// updateReminder(), updateHandlerOffer(), loadPhotos() and load().
const actionMethods = {
  async openAction(e) {
    const action = e.currentTarget.dataset.action
    if (action === 'accept') {
      if (await confirm('受理', '受理后请尽快处理，并在办结时说明结果。')) await this.run('accept', { action })
      return
    }
    this.setData({
      activeAction: action,
      activeLabel: issueActionLabel(action),
      activeExplain: ISSUE_ACTION_EXPLAIN[action] || '',
      form: Object.assign({}, EMPTY_FORM),
      formPhotos: [],
      errors: {},
    })
  },

  closeAction() {
    this.setData({ activeAction: '', errors: {} })
  },

  // Form inputs carry data-field with the server's field name.
  onFormInput(e) {
    const field = e.currentTarget.dataset.field
    const errors = Object.assign({}, this.data.errors)
    delete errors[field]
    this.setData({ form: Object.assign({}, this.data.form, { [field]: e.detail.value }), errors })
  },

  setRating(e) {
    const rating = Number(e.currentTarget.dataset.value)
    const errors = Object.assign({}, this.data.errors)
    delete errors.rating
    this.setData({ form: Object.assign({}, this.data.form, { rating }), errors })
  },

  chooseFormPhotos() {
    return addPhotos(this, 'formPhotos')
  },

  // Asked first: a photo of the finished work cannot be taken again later.
  removeFormPhoto(e) {
    const key = e.currentTarget.dataset.key
    return confirmRemovePhoto(this, 'formPhotos', key, '删除这张照片？', '处理结果')
  },

  retryFormPhoto(e) {
    return retryPhoto(this, 'formPhotos', e.currentTarget.dataset.key)
  },

  submitAction() {
    const action = this.data.activeAction
    const errors = validateAction(action, this.data.form, { today: this.data.today, issueId: this.issueId })
    const photos = photoProblem(this.data.formPhotos)
    if (photos) errors.photos = photos
    if (Object.keys(errors).length) {
      this.setData({ errors })
      return Promise.resolve()
    }
    return this.run(action, actionBody(action, this.data.form, uploadedIds(this.data.formPhotos)))
  },

  // Send one action; the answer is the issue as it now is.
  async run(action, body) {
    if (this.data.busy) return
    this.setData({ busy: true })
    try {
      const detail = await transition(this.issueId, body)
      this.setData({ activeAction: '', errors: {} })
      this.apply(detail)
      wx.showToast({ title: DONE[action] || '已完成', icon: 'success' })
      await this.updateReminder()
      if (HANDLER_ACTIONS.includes(action)) await this.updateHandlerOffer()
    } catch (err) {
      await this.failed(err)
    } finally {
      this.setData({ busy: false })
    }
    await this.loadPhotos()
  },

  async failed(err) {
    const fields = fieldErrors(err)
    if (Object.keys(fields).length) {
      this.setData({ errors: fields })
      return
    }
    showError(err)
    if (STALE_STATUSES.includes(err.status)) {
      this.setData({ activeAction: '' })
      await this.load()
    }
  },
}

module.exports = { EMPTY_FORM, actionMethods }
