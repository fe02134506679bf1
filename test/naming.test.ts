/**
 * The naming scopes: a generated name is free in its own scope, in every scope around it
 * and in every scope nested in it; scopes side by side (two functions of a file) may give
 * out the same local names. The fixture `fixtures/functions/hygiene.ts` checks the same end
 * to end, with user names that take generated ones.
 */
import { describe, expect, it } from "vitest";
import { Names, nameOf } from "../compiler/naming";

describe("Names", () => {
  it("gives the base when free, then numbered variants, skipping reserved ones", () => {
    const names = new Names(["x_bar", "x_bar_3"]);
    expect([names.fresh("y_bar"), names.fresh("x_bar"), names.fresh("x_bar"), names.fresh("x_bar")]).toEqual(["y_bar", "x_bar_2", "x_bar_4", "x_bar_5"]);
  });

  it("numbers temporaries past the names the user wrote", () => {
    const names = new Names(["t1", "t3"]);
    expect([names.numbered(nameOf.temporary), names.numbered(nameOf.temporary), names.numbered(nameOf.temporary)]).toEqual(["t2", "t4", "t5"]);
  });

  it("gives a function's locals none of the file's names", () => {
    const file = new Names(["numberTape"]);
    file.fresh("f_forward");
    const local = file.child();
    expect([local.fresh("numberTape"), local.fresh("f_forward")]).toEqual(["numberTape_2", "f_forward_2"]);
  });

  it("gives the file none of the names its functions' locals took", () => {
    const file = new Names(["step_forward"]);
    const local = file.child(["step_forward_2"]);
    local.fresh("t");
    expect([file.fresh("step_forward"), file.fresh("t")]).toEqual(["step_forward_3", "t_2"]);
  });

  it("lets two functions of a file use the same local names", () => {
    const file = new Names(["x"]);
    const [f, g] = [file.child(), file.child()];
    expect([f.fresh(nameOf.adjoint("x")), g.fresh(nameOf.adjoint("x")), f.numbered("t"), g.numbered("t")]).toEqual(["x_bar", "x_bar", "t1", "t1"]);
  });

  it("keeps a scope's names from scopes nested two deep", () => {
    const file = new Names();
    const fn = file.child(["tapes"]);
    const inner = fn.child();
    inner.reserve("tapes_2");
    expect([fn.fresh("tapes"), file.fresh("tapes_2"), inner.fresh("tapes")]).toEqual(["tapes_3", "tapes_2_2", "tapes_4"]);
  });
});

describe("nameOf", () => {
  it("names generated functions after their source, with the parameters when not the default", () => {
    expect([nameOf.transform("loss", "grad"), nameOf.transform("loss", "grad", [1, 0]), nameOf.forwardHalf("f", []), nameOf.reverseHalf("f"), nameOf.adjointFunction("f")]).toEqual([
      "loss_grad",
      "loss_grad_wrt_1_0",
      "f_forward_wrt_none",
      "f_reverse",
      "f_adjoint",
    ]);
  });
});
