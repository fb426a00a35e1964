// Plain words for terms a resident may not know (issue 9). Shown once, where
// the term first appears: under a status, at the top of a form, in an empty
// state. Keep each to one short line.

// What 报事 means, for the report form and the empty 我的报事.
const REPORT_EXPLAIN = '报事，就是向小区反映问题：东西坏了、有安全隐患、邻里有矛盾、需要帮忙，都可以说。'

// Under an issue's status on its page.
const ISSUE_STATUS_EXPLAIN = {
  submitted: '已经交给负责您单元的联络人，等他确认接手。',
  accepted: '联络人已经接手，正在处理。',
  referred: '转办：小区自己办不了，已经交给物业、街道或有关部门处理。',
  resolved: '处理人说已经处理好了（办结），请您看看是不是真的好了。',
  closed: '这件事已经处理完，结束了。',
  rejected: '不予受理：这件事小区没法处理，原因写在下面。',
  duplicate: '已经有人反映过同一件事，会一起处理。',
}

// At the top of a handler's action form: what the act means and who hears of it.
const ISSUE_ACTION_EXPLAIN = {
  refer: '转办：小区自己办不了，交给物业、街道或有关部门；约好哪天去问进度。',
  resolve: '办结：事情已经处理完。写明怎么处理的，报事人会收到通知并确认。',
  reject: '不予受理：这件事小区没法处理。请写明原因，报事人会看到。',
  mark_duplicate: '标为重复：已经有人反映过同一件事，写上那件事的编号。',
  confirm: '确认完成：您看过了，问题确实解决了。',
  reopen: '重新打开：问题还没有解决，交回联络人继续处理。',
}

function issueStatusExplain(status) {
  return ISSUE_STATUS_EXPLAIN[status] || ''
}

module.exports = { REPORT_EXPLAIN, ISSUE_STATUS_EXPLAIN, ISSUE_ACTION_EXPLAIN, issueStatusExplain }
