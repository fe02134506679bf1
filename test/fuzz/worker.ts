/** The fuzzer's worker thread: judges each mutant it is sent (./judge.ts). */
import { serveJobs } from "../workers";
import { judge, type Job, type Verdict } from "./judge";

serveJobs<Job, Verdict>(judge);
