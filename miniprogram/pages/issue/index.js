// One issue: what, where, photos, the timeline, and exactly the actions the
// server offers me now (`actions`). /pages/issue/index?id=3[&return_visit=1]
const { ensureLogin } = require('../../api/auth')
const { getIssue, transition, answerReturnVisit } = require('../../api/issues')
const { getConfig } = require('../../api/config')
const { photoFile } = require('../../api/uploads')
const { issueDetailView, actionButtons } = require('../../utils/issues')
const { issueActionLabel } = require('../../utils/labels')
const { validateAction, checkVisitNote, cleanMultiline } = require('../../utils/validate')
const { addPhotos, removePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { todayInShanghai } = require('../../utils/format')
const { showError, fieldErrors } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')
const { subscribe, templateIds } = require('../../services/subscribe')
const { mySubscriptions } = require('../../api/me')
const { pushView, requestPushes } = require('../../services/push')
const { loadable } = require('../../utils/page')
const { ISSUE_ACTION_EXPLAIN, issueStatusExplain } = require('../../utils/words')

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

// While the issue is being handled, its reporter may ask to hear when it is
// resolved: their one-time subscription was usually spent on "accepted".
const REMINDER_STATUSES = ['accepted', 'referred']
const REMINDER_TEMPLATES = ['issue_status']

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

// Asked before answering the return visit: either answer ends or reopens it.
const VISIT_QUESTIONS = {
  yes: ['问题已经解决了？', '确认后这件事就结束了。', { confirmText: '已解决', cancelText: '再想想' }],
  no: ['问题还没有解决？', '确认后这件事会重新打开，交回联络人继续处理。', { confirmText: '没解决', cancelText: '再想想' }],
}

Page(loadable({
  data: {
    issue: null,
    statusExplain: '',
    actions: [],
    photoList: [],
    canAnswerVisit: false,
    visitHint: '',
    visitNote: '',
    visitError: '',
    activeAction: '',
    activeLabel: '',
    activeExplain: '',
    form: EMPTY_FORM,
    formPhotos: [],
    errors: {},
    busy: false,
    today: '',
    stars: [1, 2, 3, 4, 5],
    canRemind: false,
    reminding: false,
    reminderTmplIds: [],
    // pushView of my pushes, shown after I handled the issue with few left.
    handlerOffer: null,
    offering: false,
  },

  onLoad(options = {}) {
    this.issueId = Number(options.id)
    this.arrivedForVisit = options.return_visit === '1'
    this.photoPaths = {} // upload id → downloaded temp file, kept across refreshes
    this.setData({ today: todayInShanghai() })
    return this.load()
  },

  async fetch() {
    await ensureLogin()
    return this.detailPatch(await getIssue(this.issueId))
  },

  // The photos come in the background: load() (and so the pull-down spinner)
  // waits for the data only, never for downloads of up to a minute each.
  onLoaded() {
    this.loadPhotos()
    return this.updateReminder()
  },

  apply(detail) {
    this.setData(this.detailPatch(detail))
  },

  detailPatch(detail) {
    const canAnswerVisit = Boolean(detail.can_answer_return_visit)
    return {
      issue: issueDetailView(detail),
      statusExplain: issueStatusExplain(detail.status),
      actions: actionButtons(detail.actions),
      canAnswerVisit,
      // Opened from a return-visit message that was answered meanwhile.
      visitHint: this.arrivedForVisit && !canAnswerVisit ? '这条回访已经答复过了，或已不需要答复' : '',
      photoList: this.photoListOf(detail.photos || []),
    }
  },

  photoListOf(ids) {
    return ids.map((id) => ({ id, path: this.photoPaths[id] || '', failed: this.photoPaths[id] === '' }))
  },

  // One at a time (WeChat caps parallel downloads), after any pass still
  // running; a photo that cannot be fetched stays a placeholder. Resolves
  // when the photos shown are all there.
  loadPhotos() {
    this.photosDone = (this.photosDone || Promise.resolve()).then(() => this.downloadPhotos())
    return this.photosDone
  },

  async downloadPhotos() {
    for (const { id } of this.data.photoList) {
      if (id in this.photoPaths) continue
      try {
        this.photoPaths[id] = await photoFile(id)
      } catch (err) {
        this.photoPaths[id] = ''
      }
      this.setData({ photoList: this.photoListOf(this.data.photoList.map((p) => p.id)) })
    }
  },

  previewPhoto(e) {
    const urls = this.data.photoList.map((p) => p.path).filter(Boolean)
    const current = e.currentTarget.dataset.path
    if (current) wx.previewImage({ urls, current })
  },

  // ----- 开启办结提醒 -----

  // Offer the reminder to the reporter (or the liaison who filed for them:
  // the detail's is_reporter) while the issue is accepted or referred, once
  // the template is known.
  async updateReminder() {
    const issue = this.data.issue
    const status = issue && issue.status
    if (this.reminderSet || !REMINDER_STATUSES.includes(status) || !issue.isReporter) {
      if (this.data.canRemind) this.setData({ canRemind: false })
      return
    }
    const tmplIds = await this.reminderTemplates()
    this.setData({ canRemind: tmplIds.length > 0, reminderTmplIds: tmplIds })
  },

  reminderTemplates() {
    return getConfig()
      .then((config) => templateIds(config, REMINDER_TEMPLATES))
      .catch(() => [])
  },

  // The tap on 开启办结提醒: subscribe() asks WeChat before any await, as
  // WeChat requires, then tells the server what was accepted.
  enableReminder() {
    if (this.data.reminding) return Promise.resolve()
    this.setData({ reminding: true })
    return subscribe(this.data.reminderTmplIds).then((recorded) => {
      if (recorded) {
        this.reminderSet = true
        this.setData({ canRemind: false })
        wx.showToast({ title: '已开启提醒', icon: 'success' })
      }
      this.setData({ reminding: false })
    })
  },

  // ----- 新报事提醒我, after handling -----

  // Offered (never asked for by itself) when a message I am pushed by
  // subscription has LOW_QUOTA or fewer sends left.
  async updateHandlerOffer() {
    try {
      const view = pushView(await mySubscriptions())
      this.setData({ handlerOffer: view.low && view.tmplIds.length ? view : null })
    } catch (err) {
      this.setData({ handlerOffer: null })
    }
  },

  // The tap: WeChat's dialog first, then the new counts; the offer stays while
  // still low, so one more tap adds one more.
  remindMeOfNew() {
    const offer = this.data.handlerOffer
    if (this.data.offering || !offer) return Promise.resolve()
    const asked = requestPushes(offer.tmplIds)
    this.setData({ offering: true })
    return asked.then(({ status, error }) => {
      const patch = { offering: false }
      if (status) {
        const view = pushView(status)
        patch.handlerOffer = view.low && view.tmplIds.length ? view : null
      }
      this.setData(patch)
      if (error) showError(error)
      else if (status) wx.showToast({ title: '已开启提醒', icon: 'success' })
      else wx.showToast({ title: '没有开启提醒', icon: 'none' })
    })
  },

  // ----- actions -----

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
  async removeFormPhoto(e) {
    const key = e.currentTarget.dataset.key
    const sure = await confirm('删除这张照片？', '删除后这张照片不会随处理结果提交。', {
      confirmText: '删除',
      cancelText: '不删',
    })
    if (sure) removePhoto(this, 'formPhotos', key)
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

  // ----- return visit -----

  onVisitNoteInput(e) {
    this.setData({ visitNote: e.detail.value, visitError: '' })
  },

  // 已解决 / 仍未解决: one tap that cannot be taken back, so asked first.
  async answerVisit(e) {
    const answer = e.currentTarget.dataset.fixed === 'yes' ? 'yes' : 'no'
    const fixed = answer === 'yes'
    const problem = checkVisitNote(this.data.visitNote)
    if (problem) {
      this.setData({ visitError: problem })
      return
    }
    if (this.data.busy) return
    if (!(await confirm(...VISIT_QUESTIONS[answer]))) return
    if (this.data.busy) return
    this.setData({ busy: true })
    try {
      await answerReturnVisit(this.issueId, { fixed, note: cleanMultiline(this.data.visitNote) })
      wx.showToast({ title: fixed ? '感谢您的反馈' : '已重新打开', icon: 'success' })
      this.arrivedForVisit = false
      this.setData({ visitNote: '' })
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ busy: false })
    }
    // Either way: "not fixed" reopened it, or the visit was answered elsewhere.
    await this.load()
  },
}))
