/** The fuzzer's worker thread: judges each mutant it is sent (./judge.ts). */
import { serveJobs } from "../workers";
import { judgeDisk } from "./disk";
import { judge, type AnyJob, type Verdict } from "./judge";

serveJobs<AnyJob, Verdict>((job, phase) => ("disk" in job ? judgeDisk(job.disk, phase) : judge(job, phase)));
