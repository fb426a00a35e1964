// 纸质表决票 (volunteers: liaisons, building leads, the committee), for the
// owners who vote on paper or give a written proxy (书面委托):
// - 录入: pick a flat from the roll (the ones not voted yet first and big;
//   "已投" without the choice — the ballot is secret from volunteers too), the
//   choice, 书面委托 or not, a photo of the signed paper taken on the spot,
//   a confirmation, then it waits for a second volunteer;
// - 待核对: the paper ballots others recorded, each with its photo to enlarge,
//   核对无误 (it then counts) or 有问题 (with a reason). Mine wait for someone else.
const { ensureLogin } = require('../../api/auth')
const {
  getProposal,
  getRoll,
  recordPaperBallot,
  listPaperBallots,
  confirmPaperBallot,
  rejectPaperBallot,
} = require('../../api/decisions')
const { photoFile } = require('../../api/uploads')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem, previewPhotos } = require('../../services/photos')
const { DEFAULT_OPTIONS, choiceLabel, timeText, deniedText } = require('../../utils/decisions')
const { label } = require('../../utils/labels')
const { errorMessage } = require('../../utils/errors')
const { showModal, confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const TABS = [
  { key: 'record', label: '录入' },
  { key: 'pending', label: '待核对' },
]

function rollView(entry) {
  const state = entry.pending_paper ? '纸质票待核对' : entry.voted ? '已投' : '未投'
  return {
    id: entry.household_id,
    label: entry.label,
    area: entry.area_m2,
    open: !entry.voted && !entry.pending_paper,
    state,
    ariaLabel: `${entry.label}，${entry.area_m2} 平方米，${state}`,
  }
}

function pendingView(b, options) {
  return {
    id: b.id,
    household: b.household_label,
    choiceLabel: b.choice_label || choiceLabel(options, b.choice),
    channel: label('ballot_channel', b.channel, ''),
    recordedBy: b.recorded_by || '',
    at: timeText(b.recorded_at),
    photo: b.photo,
    mine: Boolean(b.mine),
    status: b.status,
  }
}

Page(
  loadable({
    data: {
      tabs: TABS,
      tab: 'record',
      denied: '',
      title: '',
      voting: true,
      options: DEFAULT_OPTIONS,
      toVote: [],
      voted: [],
      flatSearch: '',
      householdId: 0,
      householdLabel: '',
      choice: '',
      proxy: false,
      photos: [],
      errors: {},
      formError: '',
      sending: false,
      pending: [],
      photoPaths: {},
      busy: false,
      rejecting: 0,
    },

    onLoad(options) {
      this.proposalId = Number((options && options.id) || 0)
      if (options && options.tab === 'pending') this.setData({ tab: 'pending' })
    },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      try {
        return Object.assign({ denied: '' }, await this.fetchTab())
      } catch (err) {
        // Not a volunteer of this compound: said plainly, not an error to retry.
        const denied = deniedText(err)
        if (denied) return { denied }
        throw err
      }
    },

    async fetchTab() {
      const proposal = await getProposal(this.proposalId)
      const options = proposal.options && proposal.options.length ? proposal.options : DEFAULT_OPTIONS
      const patch = { title: proposal.title, voting: proposal.status === 'voting', options }
      if (!patch.voting) return patch
      if (this.data.tab === 'record') {
        this.roll = ((await getRoll(this.proposalId)).items || []).map(rollView)
        Object.assign(patch, this.rollShown(this.data.flatSearch))
      } else {
        const { items } = await listPaperBallots(this.proposalId, { status: 'pending' })
        patch.pending = (items || []).map((b) => pendingView(b, options))
      }
      return patch
    },

    // The photos of the paper ballots to check, one by one.
    async onLoaded() {
      if (this.data.tab !== 'pending') return
      const paths = Object.assign({}, this.data.photoPaths)
      for (const b of this.data.pending) {
        if (!b.photo || b.photo in paths) continue
        try {
          paths[b.photo] = await photoFile(b.photo)
        } catch (err) {
          paths[b.photo] = ''
        }
      }
      this.setData({ photoPaths: paths })
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return undefined
      this.setData({ tab, loaded: false })
      return this.load()
    },

    // ------------------------------------------------------------ 录入

    // The committee walks the whole compound: a room number narrows the list.
    rollShown(search) {
      const wanted = String(search || '').trim()
      const roll = (this.roll || []).filter((r) => !wanted || r.label.includes(wanted))
      return { toVote: roll.filter((r) => r.open), voted: roll.filter((r) => !r.open) }
    },

    onFlatSearch(e) {
      const flatSearch = e.detail.value
      this.setData(Object.assign({ flatSearch }, this.rollShown(flatSearch)))
    },

    pickFlat(e) {
      const id = Number(e.currentTarget.dataset.id)
      const flat = this.data.toVote.find((r) => r.id === id)
      if (!flat) return
      this.setData({ householdId: id, householdLabel: flat.label, errors: Object.assign({}, this.data.errors, { flat: '' }) })
    },

    pickChoice(e) {
      this.setData({ choice: e.currentTarget.dataset.choice, errors: Object.assign({}, this.data.errors, { choice: '' }) })
    },

    onProxy(e) {
      this.setData({ proxy: Boolean(e.detail.value) })
    },

    takePhoto() {
      return addPhotos(this, 'photos', 1, ['camera'])
    },

    removePhoto(e) {
      return confirmRemovePhoto(this, 'photos', e.currentTarget.dataset.key, '删除这张照片？', '表决票')
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
      if (!d.householdId) errors.flat = '请先选房屋'
      if (!d.choice) errors.choice = '请选业主在纸上选的那一项'
      const photo = d.photos.length ? photoProblem(d.photos) : `请拍下业主签字的${d.proxy ? '委托书' : '表决票'}`
      if (photo) errors.photo = photo
      return errors
    },

    async submit() {
      if (this.data.sending) return
      const errors = this.problems()
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '请按提示补全后再提交' })
        return
      }
      const d = this.data
      const what = d.proxy ? '书面委托' : '纸质表决票'
      const question = `${d.householdLabel}：「${choiceLabel(d.options, d.choice)}」（${what}）。提交后由另一位志愿者核对照片，核对无误才计入。`
      if (!(await confirmOnce(this, '录入纸质票', question, { confirmText: '提交' }))) return
      this.setData({ sending: true, formError: '' })
      try {
        await recordPaperBallot(this.proposalId, {
          householdId: d.householdId,
          choice: d.choice,
          photo: uploadedIds(d.photos)[0],
          proxy: d.proxy,
        })
        wx.showToast({ title: '已录入，待核对', icon: 'none' })
        this.setData({ householdId: 0, householdLabel: '', choice: '', proxy: false, photos: [], errors: {} })
        await this.refresh()
      } catch (err) {
        await this.refused(err)
      }
      this.setData({ sending: false })
    },

    // What the server refused, where it belongs: the photo under the photo;
    // a vote closed meanwhile, or a flat no longer to record (another
    // volunteer was quicker, not on the roll), said and the page read again.
    async refused(err) {
      const code = err && err.code
      if (code === 'photo_invalid') {
        this.setData({ errors: Object.assign({}, this.data.errors, { photo: errorMessage(err) }), formError: '请重新拍照后再提交' })
        return
      }
      if (code === 'voting_closed' || code === 'not_on_roll' || code === 'household_not_found') {
        await showModal({ title: '没有录入', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        this.setData({ householdId: 0, householdLabel: '', formError: '' })
        await this.refresh()
        return
      }
      this.setData({ formError: errorMessage(err) })
    },

    // ------------------------------------------------------------ 待核对

    previewPending(e) {
      const path = this.data.photoPaths[e.currentTarget.dataset.photo]
      const all = this.data.pending.map((b) => this.data.photoPaths[b.photo] || '')
      previewPhotos(all, path)
    },

    async confirmBallot(e) {
      const ballot = this.data.pending.find((b) => b.id === Number(e.currentTarget.dataset.id))
      if (!ballot || this.data.busy) return
      const question = `${ballot.household}「${ballot.choiceLabel}」：照片上的房号、签名和选择都与录入的一致吗？核对后这张票计入，不能撤销。`
      if (!(await confirmOnce(this, '核对无误', question, { confirmText: '一致' }))) return
      await this.decide(() => confirmPaperBallot(ballot.id), '已计入')
    },

    askReject(e) {
      this.setData({ rejecting: Number(e.currentTarget.dataset.id) })
    },

    onRejectCancel() {
      this.setData({ rejecting: 0 })
    },

    async onReject(e) {
      const id = this.data.rejecting
      this.setData({ rejecting: 0 })
      if (id) await this.decide(() => rejectPaperBallot(id, e.detail.reason), '已退回')
    },

    async decide(call, done) {
      this.setData({ busy: true })
      try {
        await call()
        wx.showToast({ title: done, icon: 'success' })
      } catch (err) {
        await showModal({ title: '未能办理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
      await this.refresh()
      this.setData({ busy: false })
    },
  })
)
