// cadence-py: frontend RPC surface (Thrift, spoken over TChannel as "WorkflowService::<Method>").
//
// Wire facts (method names, argument ids/types, result types, exception ids/types) are kept
// identical to the upstream Cadence IDL (cadence-workflow/cadence-idl 3ee08a9, June 2026; this
// service is unchanged in d6d4d81, the IDL vendored by the 2026 server); grouping, ordering and
// comments are our own.
//
// Reminder: exception ids are chosen per method, so never map exception type -> id globally.

include "shared.thrift"

service WorkflowService {

  // --- domains ---
  void RegisterDomain(1: shared.RegisterDomainRequest registerRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.DomainAlreadyExistsError        domainExistsError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.DescribeDomainResponse DescribeDomain(1: shared.DescribeDomainRequest describeRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.ListDomainsResponse ListDomains(1: shared.ListDomainsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.UpdateDomainResponse UpdateDomain(1: shared.UpdateDomainRequest updateRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.DomainNotActiveError            domainNotActiveError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  shared.FailoverDomainResponse FailoverDomain(1: shared.FailoverDomainRequest failoverRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.DomainNotActiveError            domainNotActiveError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  void DeprecateDomain(1: shared.DeprecateDomainRequest deprecateRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.DomainNotActiveError            domainNotActiveError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  void DeleteDomain(1: shared.DeleteDomainRequest deleteRequest) throws (
      1: shared.BadRequestError                 badRequestError
      2: shared.ServiceBusyError                serviceBusyError
      3: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      4: shared.AccessDeniedError               accessDeniedError
  )

  shared.ListFailoverHistoryResponse ListFailoverHistory(1: shared.ListFailoverHistoryRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      2: shared.ServiceBusyError                serviceBusyError
      3: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      4: shared.AccessDeniedError               accessDeniedError
  )

  // --- starting and steering executions ---
  // careful: 3 is AlreadyStarted and 7 is EntityNotExists here
  shared.StartWorkflowExecutionResponse StartWorkflowExecution(1: shared.StartWorkflowExecutionRequest startRequest) throws (
      1: shared.BadRequestError                       badRequestError
      3: shared.WorkflowExecutionAlreadyStartedError  sessionAlreadyExistError
      4: shared.ServiceBusyError                      serviceBusyError
      5: shared.DomainNotActiveError                  domainNotActiveError
      6: shared.LimitExceededError                    limitExceededError
      7: shared.EntityNotExistsError                  entityNotExistError
      8: shared.ClientVersionNotSupportedError        clientVersionNotSupportedError
      9: shared.AccessDeniedError                     accessDeniedError
  )

  shared.StartWorkflowExecutionAsyncResponse StartWorkflowExecutionAsync(1: shared.StartWorkflowExecutionAsyncRequest startRequest) throws (
      1: shared.BadRequestError                       badRequestError
      3: shared.WorkflowExecutionAlreadyStartedError  sessionAlreadyExistError
      4: shared.ServiceBusyError                      serviceBusyError
      5: shared.DomainNotActiveError                  domainNotActiveError
      6: shared.LimitExceededError                    limitExceededError
      7: shared.EntityNotExistsError                  entityNotExistError
      8: shared.ClientVersionNotSupportedError        clientVersionNotSupportedError
      9: shared.AccessDeniedError                     accessDeniedError
  )

  void SignalWorkflowExecution(1: shared.SignalWorkflowExecutionRequest signalRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.ServiceBusyError                        serviceBusyError
      5: shared.DomainNotActiveError                    domainNotActiveError
      6: shared.LimitExceededError                      limitExceededError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  // unlike StartWorkflowExecution: 3 is EntityNotExists, 7 is AlreadyStarted
  shared.StartWorkflowExecutionResponse SignalWithStartWorkflowExecution(1: shared.SignalWithStartWorkflowExecutionRequest signalWithStartRequest) throws (
      1: shared.BadRequestError                       badRequestError
      3: shared.EntityNotExistsError                  entityNotExistError
      4: shared.ServiceBusyError                      serviceBusyError
      5: shared.DomainNotActiveError                  domainNotActiveError
      6: shared.LimitExceededError                    limitExceededError
      7: shared.WorkflowExecutionAlreadyStartedError  workflowAlreadyStartedError
      8: shared.ClientVersionNotSupportedError        clientVersionNotSupportedError
      9: shared.AccessDeniedError                     accessDeniedError
  )

  // same id layout as StartWorkflowExecution, not as SignalWithStart
  shared.SignalWithStartWorkflowExecutionAsyncResponse SignalWithStartWorkflowExecutionAsync(1: shared.SignalWithStartWorkflowExecutionAsyncRequest signalWithStartRequest) throws (
      1: shared.BadRequestError                       badRequestError
      3: shared.WorkflowExecutionAlreadyStartedError  sessionAlreadyExistError
      4: shared.ServiceBusyError                      serviceBusyError
      5: shared.DomainNotActiveError                  domainNotActiveError
      6: shared.LimitExceededError                    limitExceededError
      7: shared.EntityNotExistsError                  entityNotExistError
      8: shared.ClientVersionNotSupportedError        clientVersionNotSupportedError
      9: shared.AccessDeniedError                     accessDeniedError
  )

  void RequestCancelWorkflowExecution(1: shared.RequestCancelWorkflowExecutionRequest cancelRequest) throws (
       1: shared.BadRequestError                         badRequestError
       3: shared.EntityNotExistsError                    entityNotExistError
       4: shared.CancellationAlreadyRequestedError       cancellationAlreadyRequestedError
       5: shared.ServiceBusyError                        serviceBusyError
       6: shared.DomainNotActiveError                    domainNotActiveError
       7: shared.LimitExceededError                      limitExceededError
       8: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
       9: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      10: shared.AccessDeniedError                       accessDeniedError
  )

  void TerminateWorkflowExecution(1: shared.TerminateWorkflowExecutionRequest terminateRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.ServiceBusyError                        serviceBusyError
      5: shared.DomainNotActiveError                    domainNotActiveError
      6: shared.LimitExceededError                      limitExceededError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  shared.ResetWorkflowExecutionResponse ResetWorkflowExecution(1: shared.ResetWorkflowExecutionRequest resetRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.DomainNotActiveError            domainNotActiveError
      6: shared.LimitExceededError              limitExceededError
      7: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      8: shared.AccessDeniedError               accessDeniedError
  )

  shared.RestartWorkflowExecutionResponse RestartWorkflowExecution(1: shared.RestartWorkflowExecutionRequest restartRequest) throws (
      1: shared.BadRequestError                 badRequestError
      2: shared.ServiceBusyError                serviceBusyError
      3: shared.DomainNotActiveError            domainNotActiveError
      4: shared.LimitExceededError              limitExceededError
      5: shared.EntityNotExistsError            entityNotExistError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  void RefreshWorkflowTasks(1: shared.RefreshWorkflowTasksRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.DomainNotActiveError  domainNotActiveError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.EntityNotExistsError  entityNotExistError
      5: shared.AccessDeniedError     accessDeniedError
  )

  // --- reading a single execution ---
  shared.GetWorkflowExecutionHistoryResponse GetWorkflowExecutionHistory(1: shared.GetWorkflowExecutionHistoryRequest getRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.DescribeWorkflowExecutionResponse DescribeWorkflowExecution(1: shared.DescribeWorkflowExecutionRequest describeRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.LimitExceededError              limitExceededError
      5: shared.ServiceBusyError                serviceBusyError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  shared.QueryWorkflowResponse QueryWorkflow(1: shared.QueryWorkflowRequest queryRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.QueryFailedError                queryFailedError
      5: shared.LimitExceededError              limitExceededError
      6: shared.ServiceBusyError                serviceBusyError
      7: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      8: shared.AccessDeniedError               accessDeniedError
  )

  // no BadRequestError slot; ids start at 1 with DomainNotActive
  shared.DiagnoseWorkflowExecutionResponse DiagnoseWorkflowExecution(1: shared.DiagnoseWorkflowExecutionRequest diagnoseRequest) throws (
      1: shared.DomainNotActiveError            domainNotActiveError
      2: shared.ServiceBusyError                serviceBusyError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      5: shared.AccessDeniedError               accessDeniedError
  )

  // --- decision workers ---
  shared.PollForDecisionTaskResponse PollForDecisionTask(1: shared.PollForDecisionTaskRequest pollRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.ServiceBusyError                serviceBusyError
      4: shared.LimitExceededError              limitExceededError
      5: shared.EntityNotExistsError            entityNotExistError
      6: shared.DomainNotActiveError            domainNotActiveError
      7: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      8: shared.AccessDeniedError               accessDeniedError
  )

  shared.RespondDecisionTaskCompletedResponse RespondDecisionTaskCompleted(1: shared.RespondDecisionTaskCompletedRequest completeRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondDecisionTaskFailed(1: shared.RespondDecisionTaskFailedRequest failedRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondQueryTaskCompleted(1: shared.RespondQueryTaskCompletedRequest completeRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.LimitExceededError              limitExceededError
      5: shared.ServiceBusyError                serviceBusyError
      6: shared.DomainNotActiveError            domainNotActiveError
      7: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      8: shared.AccessDeniedError               accessDeniedError
  )

  shared.ResetStickyTaskListResponse ResetStickyTaskList(1: shared.ResetStickyTaskListRequest resetRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.LimitExceededError                      limitExceededError
      5: shared.ServiceBusyError                        serviceBusyError
      6: shared.DomainNotActiveError                    domainNotActiveError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  // --- activity workers (token based and domain/workflowId/activityId based variants) ---
  shared.PollForActivityTaskResponse PollForActivityTask(1: shared.PollForActivityTaskRequest pollRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.ServiceBusyError                serviceBusyError
      4: shared.LimitExceededError              limitExceededError
      5: shared.EntityNotExistsError            entityNotExistError
      6: shared.DomainNotActiveError            domainNotActiveError
      7: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      8: shared.AccessDeniedError               accessDeniedError
  )

  shared.RecordActivityTaskHeartbeatResponse RecordActivityTaskHeartbeat(1: shared.RecordActivityTaskHeartbeatRequest heartbeatRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  shared.RecordActivityTaskHeartbeatResponse RecordActivityTaskHeartbeatByID(1: shared.RecordActivityTaskHeartbeatByIDRequest heartbeatRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskCompleted(1: shared.RespondActivityTaskCompletedRequest completeRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskCompletedByID(1: shared.RespondActivityTaskCompletedByIDRequest completeRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskFailed(1: shared.RespondActivityTaskFailedRequest failRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskFailedByID(1: shared.RespondActivityTaskFailedByIDRequest failRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskCanceled(1: shared.RespondActivityTaskCanceledRequest canceledRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  void RespondActivityTaskCanceledByID(1: shared.RespondActivityTaskCanceledByIDRequest canceledRequest) throws (
      1: shared.BadRequestError                         badRequestError
      3: shared.EntityNotExistsError                    entityNotExistError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.ServiceBusyError                        serviceBusyError
      7: shared.ClientVersionNotSupportedError          clientVersionNotSupportedError
      8: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      9: shared.AccessDeniedError                       accessDeniedError
  )

  // --- visibility ---
  shared.ListOpenWorkflowExecutionsResponse ListOpenWorkflowExecutions(1: shared.ListOpenWorkflowExecutionsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.LimitExceededError              limitExceededError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  shared.ListClosedWorkflowExecutionsResponse ListClosedWorkflowExecutions(1: shared.ListClosedWorkflowExecutionsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.ListWorkflowExecutionsResponse ListWorkflowExecutions(1: shared.ListWorkflowExecutionsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  // shares request/response types with ListWorkflowExecutions
  shared.ListWorkflowExecutionsResponse ScanWorkflowExecutions(1: shared.ListWorkflowExecutionsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.CountWorkflowExecutionsResponse CountWorkflowExecutions(1: shared.CountWorkflowExecutionsRequest countRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  shared.ListArchivedWorkflowExecutionsResponse ListArchivedWorkflowExecutions(1: shared.ListArchivedWorkflowExecutionsRequest listRequest) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  // no arguments (args struct is empty); exception ids start at 2
  shared.GetSearchAttributesResponse GetSearchAttributes() throws (
      2: shared.ServiceBusyError                serviceBusyError
      3: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      4: shared.AccessDeniedError               accessDeniedError
  )

  // --- task lists and cluster ---
  shared.DescribeTaskListResponse DescribeTaskList(1: shared.DescribeTaskListRequest request) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.EntityNotExistsError            entityNotExistError
      4: shared.LimitExceededError              limitExceededError
      5: shared.ServiceBusyError                serviceBusyError
      6: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      7: shared.AccessDeniedError               accessDeniedError
  )

  // no ClientVersionNotSupported slot
  shared.ListTaskListPartitionsResponse ListTaskListPartitions(1: shared.ListTaskListPartitionsRequest request) throws (
      1: shared.BadRequestError       badRequestError
      3: shared.EntityNotExistsError  entityNotExistError
      4: shared.LimitExceededError    limitExceededError
      5: shared.ServiceBusyError      serviceBusyError
      6: shared.AccessDeniedError     accessDeniedError
  )

  shared.GetTaskListsByDomainResponse GetTaskListsByDomain(1: shared.GetTaskListsByDomainRequest request) throws (
      1: shared.BadRequestError                 badRequestError
      2: shared.EntityNotExistsError            entityNotExistError
      3: shared.LimitExceededError              limitExceededError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
      6: shared.AccessDeniedError               accessDeniedError
  )

  // no arguments; the only method here that declares InternalServiceError
  shared.ClusterInfo GetClusterInfo() throws (
      1: shared.InternalServiceError  internalServiceError
      2: shared.ServiceBusyError      serviceBusyError
      3: shared.AccessDeniedError     accessDeniedError
  )

  // --- schedules (newer API; real clients only call these over gRPC) ---
  shared.CreateScheduleResponse CreateSchedule(1: shared.CreateScheduleRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.EntityNotExistsError  entityNotExistError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.DomainNotActiveError  domainNotActiveError
      5: shared.LimitExceededError    limitExceededError
      6: shared.AccessDeniedError     accessDeniedError
  )

  shared.DescribeScheduleResponse DescribeSchedule(1: shared.DescribeScheduleRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.EntityNotExistsError  entityNotExistError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.QueryFailedError      queryFailedError
      5: shared.LimitExceededError    limitExceededError
      6: shared.AccessDeniedError     accessDeniedError
  )

  shared.UpdateScheduleResponse UpdateSchedule(1: shared.UpdateScheduleRequest request) throws (
      1: shared.BadRequestError                         badRequestError
      2: shared.EntityNotExistsError                    entityNotExistError
      3: shared.ServiceBusyError                        serviceBusyError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      7: shared.AccessDeniedError                       accessDeniedError
  )

  shared.DeleteScheduleResponse DeleteSchedule(1: shared.DeleteScheduleRequest request) throws (
      1: shared.BadRequestError                         badRequestError
      2: shared.EntityNotExistsError                    entityNotExistError
      3: shared.ServiceBusyError                        serviceBusyError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      7: shared.AccessDeniedError                       accessDeniedError
  )

  shared.PauseScheduleResponse PauseSchedule(1: shared.PauseScheduleRequest request) throws (
      1: shared.BadRequestError                         badRequestError
      2: shared.EntityNotExistsError                    entityNotExistError
      3: shared.ServiceBusyError                        serviceBusyError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      7: shared.AccessDeniedError                       accessDeniedError
  )

  shared.UnpauseScheduleResponse UnpauseSchedule(1: shared.UnpauseScheduleRequest request) throws (
      1: shared.BadRequestError                         badRequestError
      2: shared.EntityNotExistsError                    entityNotExistError
      3: shared.ServiceBusyError                        serviceBusyError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      7: shared.AccessDeniedError                       accessDeniedError
  )

  shared.BackfillScheduleResponse BackfillSchedule(1: shared.BackfillScheduleRequest request) throws (
      1: shared.BadRequestError                         badRequestError
      2: shared.EntityNotExistsError                    entityNotExistError
      3: shared.ServiceBusyError                        serviceBusyError
      4: shared.DomainNotActiveError                    domainNotActiveError
      5: shared.LimitExceededError                      limitExceededError
      6: shared.WorkflowExecutionAlreadyCompletedError  workflowExecutionAlreadyCompletedError
      7: shared.AccessDeniedError                       accessDeniedError
  )

  shared.ListSchedulesResponse ListSchedules(1: shared.ListSchedulesRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.EntityNotExistsError  entityNotExistError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.AccessDeniedError     accessDeniedError
  )
}
