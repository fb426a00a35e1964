// One owners' decision (业主表决事项): the title, the art. 278 matter and its
// rule in plain words, the text, the documents, what it changes, the earlier
// versions and the owners' comments. By phase: on notice (公示至 X月X日) a box
// to comment; while voting, for each of my flats big buttons per option, a
// confirmation, then the receipt code in big type and until when it can be
// changed; the turnout; once closed, the result. The committee's steps
// (修改, 公示, 开始表决, 结束表决, 撤回) each ask first; volunteers open the
// paper ballots (录入纸质表决票, 核对纸质票).
const { ensureLogin } = require('../../api/auth')
const { getProposal, listComments, addComment, castBallot, proposalStep } = require('../../api/decisions')
const { photoFile } = require('../../api/uploads')
const { previewPhotos } = require('../../services/photos')
const { detailView, commentView, choiceLabel, dayText, timeText, shanghaiIso, deniedText, votingOver } = require('../../utils/decisions')
const { todayInShanghai } = require('../../utils/format')
const { errorMessage } = require('../../utils/errors')
const { showModal, confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const DAY_MS = 24 * 3600 * 1000
// The vote lasts 24 hours to 90 days (the server's closes_at_invalid).
const LONGEST_DAYS = 90
const COMMENT_MAX = 500
// The compound's minimum notice is the server's (Compound.min_notice_days,
// 7 unless set); a shorter one is refused there with the reason.
const DEFAULT_NOTICE_DAYS = 7
const DONE = { publish: '已公示', open: '已开始表决', close: '表决已结束', withdraw: '已撤回' }

Page(
  loadable({
    data: {
      proposal: null,
      // A refusal trying again will not change (a tenant opening the notice).
      denied: '',
      docPaths: [],
      comments: [],
      commentsCursor: null,
      commentsError: '',
      commentText: '',
      commentError: '',
      commentBusy: false,
      openVersion: 0,
      busy: false,
      voting: '',
      // The receipt of the ballot just cast, shown on top until the page is left.
      justVoted: '',
      justVotedFlat: '',
      // The committee's forms: 'publish' | 'open' | ''; the withdraw reason.
      form: '',
      noticeDays: String(DEFAULT_NOTICE_DAYS),
      formError: '',
      closeDay: '',
      closeTime: '20:00',
      firstDay: '',
      lastDay: '',
      asking: false,
    },

    onLoad(options) {
      this.proposalId = Number((options && options.id) || 0)
      this.photoPaths = {}
    },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let proposal
      try {
        proposal = await getProposal(this.proposalId)
      } catch (err) {
        const denied = deniedText(err)
        if (denied) return { denied, proposal: null }
        throw err
      }
      return Object.assign({ denied: '', proposal: detailView(proposal) }, await this.firstComments())
    },

    // The comments work on their own: a failure leaves the rest of the page.
    async firstComments() {
      try {
        const page = await listComments(this.proposalId)
        return { comments: (page.items || []).map(commentView), commentsCursor: page.next_cursor || null, commentsError: '' }
      } catch (err) {
        return { comments: [], commentsCursor: null, commentsError: errorMessage(err) }
      }
    },

    async moreComments() {
      if (!this.data.commentsCursor) return
      try {
        const page = await listComments(this.proposalId, { cursor: this.data.commentsCursor })
        this.setData({
          comments: this.data.comments.concat((page.items || []).map(commentView)),
          commentsCursor: page.next_cursor || null,
        })
      } catch (err) {
        this.setData({ commentsError: errorMessage(err) })
      }
    },

    // The documents need the bearer header: downloaded one by one.
    async onLoaded() {
      if (!this.data.proposal) return
      const ids = this.data.proposal.attachments
      for (const id of ids) {
        if (id in this.photoPaths) continue
        try {
          this.photoPaths[id] = await photoFile(id)
        } catch (err) {
          this.photoPaths[id] = ''
        }
      }
      this.setData({ docPaths: ids.map((id) => this.photoPaths[id] || '') })
    },

    previewDoc(e) {
      previewPhotos(this.data.docPaths, e.currentTarget.dataset.path)
    },

    toggleVersion(e) {
      const version = Number(e.currentTarget.dataset.version)
      this.setData({ openVersion: this.data.openVersion === version ? 0 : version })
    },

    // ------------------------------------------------------------ the vote

    async vote(e) {
      const { household, choice } = e.currentTarget.dataset
      const p = this.data.proposal
      if (this.data.voting || !p) return
      // The page may have stayed open past the deadline: say so, ask nothing.
      if (votingOver(p.closesAtIso)) return this.votingClosed()
      const flat = p.households.find((h) => h.id === Number(household))
      const chosen = choiceLabel(p.options, choice)
      const title = p.households.length > 1 && flat ? `为 ${flat.label} 投票` : '确认投票'
      const replacing = flat && flat.ballot && !flat.ballot.pending ? `（会替换您之前的选择「${flat.ballot.choiceLabel}」）` : ''
      // A paper ballot recorded for the flat still counts once confirmed.
      const paper = flat && flat.ballot && flat.ballot.pending ? `。志愿者录入的纸质票「${flat.ballot.choiceLabel}」还在核对，核对后以纸质票为准` : ''
      const question = `您选择「${chosen}」，确定提交吗？截止前可以更改${replacing}${paper}`
      if (!(await confirmOnce(this, title, question, { confirmText: '提交', cancelText: '再想想' }))) return
      if (votingOver(p.closesAtIso)) return this.votingClosed()
      this.setData({ voting: `${household}` })
      try {
        const answer = await castBallot(this.proposalId, { householdId: Number(household), choice })
        wx.showToast({ title: '已投票', icon: 'success' })
        await this.refresh()
        const many = this.data.proposal && this.data.proposal.households.length > 1
        this.setData({ justVoted: answer.receipt || '', justVotedFlat: many && flat ? flat.label : '' })
      } catch (err) {
        await showModal({ title: '没有投上', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        await this.refresh()
      }
      this.setData({ voting: '' })
      return undefined
    },

    async votingClosed() {
      const at = this.data.proposal.closesAt
      await showModal({ title: '投票已截止', content: `投票已于 ${at} 截止，不能再投票或更改。结果公布后可以在这里查看。`, showCancel: false, confirmText: '知道了' })
      await this.refresh()
    },

    // ------------------------------------------------------------ comments

    onCommentInput(e) {
      this.setData({ commentText: e.detail.value, commentError: '' })
    },

    async sendComment() {
      if (this.data.commentBusy) return
      const body = this.data.commentText.trim()
      if (!body) return this.setData({ commentError: '请先写下您的意见' })
      if (Array.from(body).length > COMMENT_MAX) return this.setData({ commentError: `意见最多 ${COMMENT_MAX} 字` })
      if (!(await confirmOnce(this, '提交意见', '提交后本小区业主都能看到（只显示楼栋单元，不显示姓名），不能删除。', { confirmText: '提交' }))) return
      this.setData({ commentBusy: true })
      try {
        await addComment(this.proposalId, body)
        this.setData({ commentText: '' })
        wx.showToast({ title: '已提交', icon: 'success' })
        this.setData(await this.firstComments())
        await this.loadAllComments()
      } catch (err) {
        this.setData({ commentError: errorMessage(err) })
        // The notice ended while the page was open: said, and the box goes away.
        if (err && err.code === 'comments_closed') {
          await showModal({ title: '公示已结束', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
          await this.refresh()
        }
      }
      this.setData({ commentBusy: false })
    },

    // After commenting: every page, so my comment (the newest) shows at the end.
    async loadAllComments() {
      for (let pages = 0; this.data.commentsCursor && pages < 20; pages += 1) await this.moreComments()
    },

    // ------------------------------------------------------------ the committee

    onAction(e) {
      const action = e.currentTarget.dataset.action
      if (this.data.busy) return undefined
      if (action === 'edit') {
        wx.navigateTo({ url: `/pages/proposal-edit/index?id=${this.proposalId}` })
        return undefined
      }
      if (action === 'withdraw') {
        this.setData({ asking: true })
        return undefined
      }
      if (action === 'publish') {
        const days = this.data.proposal.minNoticeDays || DEFAULT_NOTICE_DAYS
        this.setData({ form: 'publish', formError: '', noticeDays: String(days) })
        return undefined
      }
      if (action === 'open') {
        const now = Date.now()
        this.setData({
          form: 'open',
          formError: '',
          firstDay: todayInShanghai(now + DAY_MS),
          // Any time of the last day offered stays within the server's 90 days.
          lastDay: todayInShanghai(now + (LONGEST_DAYS - 1) * DAY_MS),
          closeDay: todayInShanghai(now + 7 * DAY_MS),
          closeTime: '20:00',
        })
        return undefined
      }
      if (action === 'close') return this.closeVote()
      return undefined
    },

    cancelForm() {
      this.setData({ form: '', formError: '' })
    },

    onNoticeDays(e) {
      this.setData({ noticeDays: e.detail.value, formError: '' })
    },

    onCloseDay(e) {
      this.setData({ closeDay: e.detail.value, formError: '' })
    },

    onCloseTime(e) {
      this.setData({ closeTime: e.detail.value, formError: '' })
    },

    async submitPublish() {
      const days = Number(this.data.noticeDays)
      if (!/^\d{1,2}$/.test(String(this.data.noticeDays).trim()) || days < 1 || days > 60) {
        this.setData({ formError: '公示天数请填 1 到 60 之间的整数（不少于小区规定的天数）' })
        return
      }
      const until = dayText(todayInShanghai(Date.now() + days * DAY_MS))
      const question = `公示 ${days} 天，约至 ${until}。公示后会推送给全体业主，业主可以提意见；公示期间修改会保留每一版。`
      if (!(await confirmOnce(this, '公示表决事项', question, { confirmText: '公示' }))) return
      await this.take('publish', { notice_days: days })
    },

    async submitOpen() {
      const { closeDay, closeTime } = this.data
      const closesAt = shanghaiIso(closeDay, closeTime)
      if (!closeDay || Date.parse(closesAt) < Date.now() + DAY_MS) {
        this.setData({ formError: '截止时间至少在 24 小时以后' })
        return
      }
      if (Date.parse(closesAt) > Date.now() + LONGEST_DAYS * DAY_MS) {
        this.setData({ formError: `截止时间最多在 ${LONGEST_DAYS} 天以内` })
        return
      }
      const question = `投票截止 ${timeText(closesAt)}。开始后，有表决权的业主名单和面积就固定下来，事项不能再修改，会推送给全体业主请他们投票。`
      if (!(await confirmOnce(this, '开始表决', question, { confirmText: '开始' }))) return
      await this.take('open', { closes_at: closesAt })
    },

    async closeVote() {
      const question = '结束后按《民法典》第二百七十八条计票，结果公布给全体业主，不能再投票。还没核对的纸质票不计入。'
      if (!(await confirmOnce(this, '结束表决', question, { confirmText: '结束' }))) return
      await this.take('close', {})
    },

    onReasonCancel() {
      this.setData({ asking: false })
    },

    async onReason(e) {
      this.setData({ asking: false })
      await this.take('withdraw', { reason: e.detail.reason })
    },

    async take(step, body) {
      this.setData({ busy: true })
      try {
        await proposalStep(this.proposalId, step, body)
        this.setData({ form: '', formError: '' })
        wx.showToast({ title: DONE[step], icon: 'success' })
      } catch (err) {
        await showModal({ title: '未能办理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        this.setData(this.formAfter(step, err))
      }
      await this.refresh()
      this.setData({ busy: false })
    },

    // A notice too short: the compound's minimum (the server's details.min)
    // is put in the box, so the next tap on 公示 goes through.
    formAfter(step, err) {
      const min = err && err.code === 'notice_too_short' && err.details && Number(err.details.min)
      if (step !== 'publish' || !min) return {}
      return { noticeDays: String(min), formError: `本小区公示期不能少于 ${min} 天，已改为 ${min} 天，请再点「公示」。` }
    },

    // ------------------------------------------------------------ elsewhere

    goResult() {
      wx.navigateTo({ url: `/pages/proposal-result/index?id=${this.proposalId}` })
    },

    goPaper() {
      wx.navigateTo({ url: `/pages/paper-ballot/index?id=${this.proposalId}` })
    },

    goConfirmPaper() {
      wx.navigateTo({ url: `/pages/paper-ballot/index?id=${this.proposalId}&tab=pending` })
    },
  })
)
