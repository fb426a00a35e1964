// 表决结果 (owners, volunteers, the committee and the supervisor, once the vote
// is closed): the two quorums and the passing rule as plain sentences, e.g.
// "参与表决面积 71.2%（需 ≥ 66.7%）✓" — shares rounded down, thresholds up,
// the ✓/✗ of the quorums the server's own; each option's area and heads with
// their share of those who took part; 通过/未通过 in big type. Then 核对我的
// 选票: every counted ballot as (receipt, area, option), mine highlighted, a
// search box, and the areas added up again from the list.
const { ensureLogin } = require('../../api/auth')
const { getProposal, getResult, auditList } = require('../../api/decisions')
const { showError } = require('../../utils/errors')
const { resultView, receiptsView, filterReceipts, deniedText } = require('../../utils/decisions')
const { loadable } = require('../../utils/page')

// How many receipts are drawn at once; the search finds any of them.
const SHOWN = 200

Page(
  loadable({
    data: {
      title: '',
      denied: '',
      result: null,
      // The whole list stays out of data (thousands of ballots in a big
      // compound): its count, and the part on screen.
      ballotCount: 0,
      shown: [],
      more: 0,
      search: '',
      myReceipts: [],
      recount: [],
      recountSame: true,
      onlyMine: false,
      canAudit: false,
      downloading: false,
    },

    onLoad(options) {
      this.proposalId = Number((options && options.id) || 0)
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let proposal, result
      try {
        ;[proposal, result] = await Promise.all([getProposal(this.proposalId), getResult(this.proposalId)])
      } catch (err) {
        const denied = deniedText(err)
        if (denied) return { denied, result: null }
        throw err
      }
      const receipts = receiptsView(result, proposal.options)
      this.all = receipts.ballots
      return Object.assign(
        {
          denied: '',
          title: proposal.title,
          canAudit: (proposal.actions || []).includes('audit'),
          result: resultView(result, proposal.options),
          myReceipts: receipts.mine,
          recount: receipts.recount,
          recountSame: receipts.recountSame,
          ballotCount: receipts.ballots.length,
        },
        this.visible(this.data.search, this.data.onlyMine)
      )
    },

    visible(search, onlyMine) {
      const found = filterReceipts(this.all || [], search).filter((b) => !onlyMine || b.mine)
      return { shown: found.slice(0, SHOWN), more: Math.max(0, found.length - SHOWN) }
    },

    onSearch(e) {
      const search = e.detail.value
      this.setData(Object.assign({ search }, this.visible(search, this.data.onlyMine)))
    },

    // 导出核对清单 (committee, supervisor): downloaded, then opened in WeChat's
    // document viewer, which can forward it to a computer.
    async exportAudit() {
      if (!this.data.canAudit || this.data.downloading) return
      this.setData({ downloading: true })
      try {
        const filePath = await auditList(this.proposalId)
        await new Promise((resolve, reject) =>
          wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
        )
      } catch (err) {
        showError(err && err.message ? err : { message: '核对清单打不开，请稍后再试' })
      } finally {
        this.setData({ downloading: false })
      }
    },

    toggleMine() {
      const onlyMine = !this.data.onlyMine
      this.setData(Object.assign({ onlyMine }, this.visible(this.data.search, onlyMine)))
    },
  })
)
