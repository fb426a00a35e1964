// 排查结果 (one household of a sweep): each checklist item a big ✓ 正常 / ✗ 有问题
// (a note under a problem), a note, photos taken on the spot, and 需要处理 —
// which opens an issue for the household, pushed to the unit's liaison, so it
// is asked first. Recording a household again updates it (no second issue).
// Opened from pages/campaign with ?id=&unit_id=&household_id=&label=.
const { ensureLogin } = require('../../api/auth')
const { getCampaign, campaignHouseholds, recordResult } = require('../../api/campaigns')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem, previewPhotos } = require('../../services/photos')
const { campaignView, checksFor, ACTION_CATEGORY } = require('../../utils/sweep')
const { optionsFor } = require('../../utils/labels')
const { checkOptional, checkVisitNote, cleanMultiline } = require('../../utils/validate')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const ITEM_NOTE_MAX = 100
const ACTION_TITLE_MAX = 30

Page(
  loadable({
    data: {
      label: '',
      title: '',
      typeLabel: '',
      canRecord: false,
      checks: [],
      note: '',
      photos: [],
      needsAction: false,
      categories: optionsFor('issue_category'),
      categoryIndex: -1,
      actionTitle: '',
      issueId: 0,
      errors: {},
      formError: '',
      sending: false,
    },

    onLoad(options = {}) {
      this.campaignId = Number(options.id || 0)
      this.unitId = Number(options.unit_id || 0)
      this.householdId = Number(options.household_id || 0)
      this.setData({ label: options.label ? decodeURIComponent(options.label) : '' })
      return this.load()
    },

    // The checklist, and what was recorded here before (to correct it).
    async fetch() {
      await ensureLogin()
      const [campaign, doors] = await Promise.all([
        getCampaign(this.campaignId),
        campaignHouseholds(this.campaignId, this.unitId),
      ])
      const view = campaignView(campaign)
      const door = ((doors && doors.items) || []).find((d) => d.household_id === this.householdId)
      const result = (door && door.result) || null
      const category = ACTION_CATEGORY[view.type]
      return {
        label: (door && door.label) || this.data.label,
        title: view.title,
        typeLabel: view.typeLabel,
        canRecord: view.open && view.mayRecord,
        checks: checksFor(view.checklist, result),
        note: (result && result.note) || '',
        needsAction: Boolean(result && result.needs_action),
        issueId: (result && result.issue_id) || 0,
        categoryIndex: this.data.categories.findIndex((c) => c.value === category),
      }
    },

    setCheck(index, patch) {
      const checks = this.data.checks.map((c) => (c.index === index ? Object.assign({}, c, patch) : c))
      this.setData({ checks, errors: Object.assign({}, this.data.errors, { items: '' }), formError: '' })
    },

    // data-index, data-ok="yes|no".
    markItem(e) {
      const { index, ok } = e.currentTarget.dataset
      this.setCheck(Number(index), { ok: ok === 'yes' })
    },

    onItemNote(e) {
      this.setCheck(Number(e.currentTarget.dataset.index), { note: e.detail.value })
    },

    onNote(e) {
      this.setData({ note: e.detail.value })
    },

    onNeedsAction(e) {
      this.setData({ needsAction: Boolean(e.detail.value) })
    },

    onCategory(e) {
      this.setData({ categoryIndex: Number(e.detail.value) })
    },

    onActionTitle(e) {
      this.setData({ actionTitle: e.detail.value })
    },

    takePhoto() {
      return addPhotos(this, 'photos', 9, ['camera'])
    },

    removePhoto(e) {
      return confirmRemovePhoto(this, 'photos', e.currentTarget.dataset.key, '删除这张照片？', '排查结果')
    },

    retryPhoto(e) {
      return retryPhoto(this, 'photos', e.currentTarget.dataset.key)
    },

    previewPhoto(e) {
      previewPhotos(this.data.photos.map((p) => p.path), e.currentTarget.dataset.path)
    },

    problems() {
      const d = this.data
      const errors = {}
      const open = d.checks.filter((c) => c.ok === null).length
      if (open) errors.items = `还有 ${open} 项没有选“正常”或“有问题”`
      const itemNote = d.checks.map((c) => checkOptional(c.note, ITEM_NOTE_MAX)).find(Boolean)
      if (itemNote) errors.items = errors.items || `问题说明：${itemNote}`
      const note = checkVisitNote(d.note)
      if (note) errors.note = note
      const title = d.needsAction ? checkOptional(d.actionTitle, ACTION_TITLE_MAX) : ''
      if (title) errors.action = title
      const photos = photoProblem(d.photos)
      if (photos) errors.photos = photos
      return errors
    },

    // The first problem ticked names the issue unless a title is typed.
    actionTitleText() {
      const failed = this.data.checks.find((c) => c.ok === false)
      return this.data.actionTitle.trim() || (failed ? failed.item : '排查发现的问题')
    },

    async submit() {
      const d = this.data
      if (d.sending || !d.canRecord) return
      const errors = this.problems()
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '请按提示补全后再提交' })
        return
      }
      if (d.needsAction && !d.issueId) {
        const question = `将为 ${d.label} 生成一条报事「${this.actionTitleText()}」，推送给本单元联络人处理。确定？`
        if (!(await confirmOnce(this, '需要处理', question, { confirmText: '转报事', cancelText: '再看看' }))) return
      }
      this.setData({ sending: true, errors: {}, formError: '' })
      try {
        const saved = await recordResult(this.campaignId, this.body())
        const issued = saved && saved.issue_id && !d.issueId
        wx.showToast({ title: issued ? `已转报事 #${saved.issue_id}` : '已记录', icon: issued ? 'none' : 'success' })
        wx.navigateBack()
      } catch (err) {
        this.setData({ formError: errorMessage(err) })
      }
      this.setData({ sending: false })
    },

    body() {
      const d = this.data
      const items = d.checks.map((c) => {
        const entry = { item: c.item, ok: c.ok }
        if (!c.ok && c.note.trim()) entry.note = c.note.trim()
        return entry
      })
      const body = { household_id: this.householdId, items, needs_action: d.needsAction, photos: uploadedIds(d.photos) }
      const note = cleanMultiline(d.note)
      if (note) body.note = note
      const category = d.categories[d.categoryIndex]
      if (d.needsAction && !d.issueId) {
        body.action = { title: this.actionTitleText() }
        if (category) body.action.category = category.value
      }
      return body
    },
  })
)
